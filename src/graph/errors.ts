// The one error type of the graph library: a one-line message naming the file and the JSON path at fault.

export class GraphFileError extends Error {
  override readonly name = 'GraphFileError'
  constructor(
    readonly detail: string,
    readonly source?: string,
    /** JSON path of the offending value, e.g. `nodes[2].inputs.steps`. */
    readonly path?: string,
  ) {
    super([source, path, detail].filter((part) => part !== undefined && part !== '').join(': '))
  }
}
