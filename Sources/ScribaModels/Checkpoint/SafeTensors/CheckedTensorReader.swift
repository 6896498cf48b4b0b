import Foundation

/// Reads tensors of known names and shapes from one safetensors file and remembers which it read, so a
/// loader names the first tensor missing or misshaped, then any tensor it did not expect (a file of
/// another model). Used by the diarization models, whose checkpoints are flat lists of f32 tensors.
final class CheckedTensorReader {
    let url: URL
    private let file: SafeTensorsFile
    private var used = Set<String>()

    init(url: URL) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { throw ModelLoadError.fileMissing(url) }
        self.url = url
        file = try SafeTensorsFile(url: url)
    }

    func floats(_ name: String, _ shape: [Int]) throws -> [Float] {
        guard file.contains(name) else { throw ModelLoadError.tensorMissing(name: name, in: url) }
        let found = try file.info(name).shape
        guard found == shape else { throw ModelLoadError.shapeMismatch(tensor: name, expected: shape, found: found, file: url) }
        used.insert(name)
        return try file.floats(name)
    }

    /// Throws when the file holds tensors no `floats` call asked for.
    func rejectUnexpected() throws {
        let unexpected = file.names.filter { !used.contains($0) }
        guard unexpected.isEmpty else { throw ModelLoadError.unexpectedTensors(unexpected, folder: url) }
    }
}
