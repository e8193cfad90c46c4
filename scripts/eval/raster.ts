// Moved to src/imaging/raster.ts (the sweep grid draws its labels with it too).
export * from '../../src/imaging/raster.js'
