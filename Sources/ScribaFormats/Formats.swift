// Formats: pure writers Transcript → String.
