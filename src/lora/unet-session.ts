// The UNet's session: the named weights file written in first, then the LoRAs on top, each build cached by key.
import type { LoraComponent } from './keys.js'
import { prepareModelWithLoras } from './session.js'
import type { BaseModel, LoraBindingLike, LoraDeps, PreparedModel, SessionProvider } from './session.js'
import type { UNetWeightsReport } from './unet-weights.js'
import { unetWeightsKey, withUNetWeights, type UNetWeightsDeps } from './weights-model.js'

export interface PreparedUNet extends PreparedModel {
  /** The weights replacement's report (when a weights file is named and it was built through these sessions). */
  readonly weights?: UNetWeightsReport
}

const UNET: LoraComponent = 'unet'

// Reports per provider and key, so a cached session (a new seed, a live scale) still has its report without a rebuild.
const builtReports = new WeakMap<SessionProvider, Map<string, UNetWeightsReport>>()

/** The session for `model` with `weights` in place of its own (none: its own) and `loras` applied. */
export async function prepareUNet(
  model: BaseModel,
  weights: string | undefined,
  loras: readonly LoraBindingLike[],
  deps: LoraDeps & UNetWeightsDeps,
): Promise<PreparedUNet> {
  let reports = builtReports.get(deps.sessions)
  if (!reports) builtReports.set(deps.sessions, (reports = new Map()))
  const known = reports
  const key = unetWeightsKey(model.key, weights)
  const base = withUNetWeights(model, weights, deps, (report) => known.set(key, report))
  const prepared = await prepareModelWithLoras(base, loras, UNET, deps)
  const report = known.get(key)
  return report ? { ...prepared, weights: report } : prepared
}
