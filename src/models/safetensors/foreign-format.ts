// What a file that is not safetensors is, when its first bytes say so: PyTorch checkpoints (.ckpt, .pt, .bin)
// renamed to .safetensors are common, and "header length 578437695752307201 exceeds ..." helps nobody.

const CONVERT_HINT =
  'convert it on a trusted machine: python -c "import torch; from safetensors.torch import save_file; ' +
  "sd = torch.load('in.ckpt', map_location='cpu', weights_only=True); save_file(sd.get('state_dict', sd), 'out.safetensors')\""

/** Names the format of a file whose first bytes belong to a PyTorch checkpoint, or undefined. */
export function foreignCheckpointFormat(first8: Uint8Array): string | undefined {
  // torch.save since PyTorch 1.6 writes a zip archive; before that (or with _use_new_zipfile_serialization=False)
  // a bare pickle, which starts with the PROTO opcode 0x80 and a protocol number.
  if (first8[0] === 0x50 && first8[1] === 0x4b && first8[2] === 0x03 && first8[3] === 0x04) return 'a PyTorch zip checkpoint (torch.save)'
  if (first8[0] === 0x80 && first8[1] !== undefined && first8[1] >= 2 && first8[1] <= 5) return 'a PyTorch pickle checkpoint (legacy torch.save)'
  return undefined
}

/** The message for a checkpoint passed where a safetensors file was expected. */
export function foreignCheckpointMessage(file: string, format: string): string {
  return `${file}: this is not a safetensors file but ${format}; ${CONVERT_HINT}`
}
