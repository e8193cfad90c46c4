// What the shapes evaluation samples: each family is one line on the chart, each variant one row of the table.
// Data, not code paths: a variant is a shipped shapes graph plus the overrides that make it (LoRA, scheduler,
// steps, eta, cfg), so the evaluation runs exactly what a user would run.

export interface EvalVariant {
  /** One chart line: the same LoRA/teacher and sampler at several step counts. */
  readonly family: string
  /** The model or LoRA sampled, for the table. */
  readonly label: string
  /** Base graph in graphs/. */
  readonly graph: string
  /** LoRA name as graphs write it (resolved like the CLI's model names); none for the teacher. */
  readonly lora?: string
  readonly steps: number
  readonly scheduler: 'ddim-trailing' | 'ddim-trailing-cfg' | 'ddpm-trailing-cfg' | 'tcd' | 'lcm-800'
  readonly eta: number
  readonly cfg: number
  /** Custom timesteps (the LCM 1-step ablation starts at 999 like LCM, not at the preset's 800). */
  readonly timesteps?: string
}

export const variantId = (v: EvalVariant): string => `${v.family}/${v.steps}`

const lora = (name: string) => `loras/${name}.safetensors`

const TEACHER_DDPM_CFG = 3.5

export function evalVariants(options: { readonly cfg: number }): EvalVariant[] {
  const teacher = { label: 'teacher', graph: 'shapes-teacher.json', eta: 0 } as const
  return [
    ...[1, 2, 4, 8, 25, 50].map((steps): EvalVariant => ({ ...teacher, family: `teacher-ddim-cfg${options.cfg}`, steps, scheduler: 'ddim-trailing-cfg', cfg: options.cfg })),
    // The teacher with DDPM's ancestral step (DDIM with eta 1): how well the model itself draws when each step's
    // error is re-noised rather than carried; its own guidance (best of 2, 2.5 and 3.5 on 384 images). The preset
    // fixes eta at 1 (the table shows it; the sampler's eta widget is ignored).
    ...[25, 50].map((steps): EvalVariant => ({ ...teacher, family: `teacher-ddpm-cfg${TEACHER_DDPM_CFG}`, steps, scheduler: 'ddpm-trailing-cfg', eta: 1, cfg: TEACHER_DDPM_CFG })),
    ...[1, 4].map((steps): EvalVariant => ({ ...teacher, family: 'teacher-plain', steps, scheduler: 'ddim-trailing', cfg: 1 })),
    ...[8, 4, 2, 1].map(
      (steps): EvalVariant => ({ family: 'hyper-lora', label: `hyper-shapes-${steps}step`, graph: `shapes-${steps}step.json`, lora: lora(`hyper-shapes-${steps}step`), steps, scheduler: 'ddim-trailing', eta: 0, cfg: 1 }),
    ),
    // The same step LoRAs under TCD with eta 1 (each step re-noised from its x0 prediction): the deterministic DDIM
    // chain, not the LoRA's predictions, is what holds the step LoRAs back (training/README.md, 2026-12-06 probes).
    ...[8, 4, 2].map(
      (steps): EvalVariant => ({ family: 'step-lora-tcd-eta1', label: `hyper-shapes-${steps}step`, graph: `shapes-${steps}step.json`, lora: lora(`hyper-shapes-${steps}step`), steps, scheduler: 'tcd', eta: 1, cfg: 1 }),
    ),
    // The 4-step graph's own LoRA (the reward fine-tune through the whole chain) under the same TCD.
    { family: 'refl-tcd-eta1', label: 'hyper-shapes-4step-refl', graph: 'shapes-4step.json', lora: lora('hyper-shapes-4step-refl'), steps: 4, scheduler: 'tcd', eta: 1, cfg: 1 },
    ...[0.3, 0.5, 1].flatMap((eta) =>
      [1, 2, 4, 8].map(
        (steps): EvalVariant => ({ family: `unified-tcd-eta${eta}`, label: 'hyper-shapes-unified', graph: 'shapes-unified-tcd.json', lora: lora('hyper-shapes-unified'), steps, scheduler: 'tcd', eta, cfg: 1 }),
      ),
    ),
    { family: 'refl', label: 'hyper-shapes-4step-refl', graph: 'shapes-4step.json', lora: lora('hyper-shapes-4step-refl'), steps: 4, scheduler: 'ddim-trailing', eta: 0, cfg: 1 },
    // One step from t=800 with LCM, as Hyper-SDXL's 1-step UNet is sampled: the TSCD and unified LoRAs as trained (for
    // t=999), and the 1-step graph's own LoRA, its continuation with score distillation trained for t=800 (`dmd-1`).
    { family: 'step-lora-lcm800', label: 'hyper-shapes-1step', graph: 'shapes-1step.json', lora: lora('hyper-shapes-1step'), steps: 1, scheduler: 'lcm-800', eta: 0, cfg: 1 },
    { family: 'unified-lcm800', label: 'hyper-shapes-unified', graph: 'shapes-unified-tcd.json', lora: lora('hyper-shapes-unified'), steps: 1, scheduler: 'lcm-800', eta: 0, cfg: 1 },
    { family: 'dmd', label: 'hyper-shapes-1step-dmd', graph: 'shapes-1step.json', lora: lora('hyper-shapes-1step-dmd'), steps: 1, scheduler: 'lcm-800', eta: 0, cfg: 1 },
    ...(['ddim-trailing', 'lcm-800'] as const).flatMap((scheduler) =>
      [1, 2, 4, 8].map(
        (steps): EvalVariant => ({
          family: scheduler === 'lcm-800' ? 'cd-ablation-lcm' : 'cd-ablation-ddim',
          label: 'hyper-shapes-cd-ablation',
          graph: 'shapes-4step.json',
          lora: lora('hyper-shapes-cd-ablation'),
          steps,
          scheduler,
          eta: 0,
          cfg: 1,
          ...(scheduler === 'lcm-800' && steps === 1 ? { timesteps: '999' } : {}),
        }),
      ),
    ),
  ]
}

/** `--only a,b`: variants whose id ("hyper-lora/4") or LoRA label contains any of the comma-separated parts. */
export function filterVariants(variants: readonly EvalVariant[], only: string | undefined): EvalVariant[] {
  if (!only) return [...variants]
  const parts = only.split(',').map((p) => p.trim()).filter((p) => p !== '')
  return variants.filter((v) => parts.some((p) => variantId(v).includes(p) || v.label.includes(p)))
}

/** The sampler and prompt overrides (`--set` syntax) that turn the base graph into this variant for one caption and seed. */
export function variantOverrides(v: EvalVariant, caption: string, seed: number): string[] {
  return [
    `2.text=${caption}`,
    `4.steps=${v.steps}`,
    `4.scheduler=${v.scheduler}`,
    `4.eta=${v.eta}`,
    `4.cfg=${v.cfg}`,
    `4.seed=${seed}`,
    `4.timesteps=${v.timesteps ?? ''}`,
    ...(v.lora ? [`9.lora=${v.lora}`] : []),
  ]
}
