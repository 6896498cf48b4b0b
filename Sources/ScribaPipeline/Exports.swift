// The pipeline's API is made of transcripts and model names: a module that imports ScribaPipeline
// sees ScribaTranscript's and ScribaHub's types without importing them again.
@_exported import ScribaHub
@_exported import ScribaTranscript
