// Header fields of the generated models, matching a torch 2.x export at opset 17.
export const EXPORT_INFO = { opset: 17, irVersion: 8, producerName: 'pytorch', producerVersion: '2.1.0' } as const
