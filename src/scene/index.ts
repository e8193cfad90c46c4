// The shapes domain: the caption grammar, an analytic measurement of a rendered scene, and the caption score.
export { ATTRIBUTES, sceneDomain, parseSceneDomain, vocabulary, type Attribute, type Rgb, type Scene, type SceneDomain } from './domain.js'
export { CaptionError, formatCaption, parseCaption, type CaptionSpec } from './caption.js'
export type { RgbaImage } from './image.js'
export { measureScene, type MeasuredObject, type SceneMeasurement } from './measure.js'
export { describeScore, scoreScene, type AttributeResult, type SceneScore } from './score.js'
