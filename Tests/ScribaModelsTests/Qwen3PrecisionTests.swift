import Foundation
import Testing
import ScribaTensor
@testable import ScribaModels

// Weight storage precision on the tiny parity fixtures (Tests/Fixtures/README.md). The bf16
// checkpoint held as bf16 (its bytes kept) or widened to f32 must give the official greedy ids
// exactly; int8 (group-wise, 128 columns) is lossy, so its agreement with the official ids is
// measured and held above a floor.

struct Qwen3PrecisionTests {
    static let clips = ["speech_en", "silence", "short_0p5"]

    /// Greedy ids (32, no stop) of `model` for clip × mode on the reference prompt.
    static func greedy(_ model: Qwen3ASR, clip: String, mode: String) throws -> (ids: [Int], expected: [Int]) {
        let audio = try model.encodeAudio(mel: try Qwen3Fixtures.features(clip))
        let entry = Qwen3Fixtures.mode(clip, "bf16", mode)
        let (ids, _) = try model.greedyDecode(promptIDs: Qwen3Fixtures.ints(entry["prompt_ids"]), audio: audio,
                                              maxNewTokens: 32, stopTokens: [])
        return (ids, Qwen3Fixtures.ints(entry["greedy_ids"]))
    }

    @Test(arguments: [WeightPrecision.bf16, .f32])
    func bf16CheckpointGivesReferenceIdsInEitherStorage(precision: WeightPrecision) throws {
        let model = try Qwen3ASR(folder: Qwen3Fixtures.url("asr-tiny-bf16"), precision: precision)
        #expect(model.precision == precision)
        for clip in Self.clips {
            for mode in ["forced", "auto"] {
                let (ids, expected) = try Self.greedy(model, clip: clip, mode: mode)
                #expect(expected.count == 32)
                #expect(ids == expected, "\(clip) \(mode) \(precision)")
            }
        }
    }

    @Test func defaultPrecisionIsTheCheckpointsDType() throws {
        let bf16 = try Qwen3ASR(folder: Qwen3Fixtures.url("asr-tiny-bf16"))
        let f32 = try Qwen3ASR(folder: Qwen3Fixtures.url("asr-tiny-f32"))
        #expect(bf16.precision == .bf16)
        #expect(f32.precision == .f32)
        // Same tensors: the matrices take half the bytes in bf16; norms, biases and conv kernels
        // stay f32 in both, so the ratio lies strictly between 1/2 and 1.
        let ratio = Double(bf16.weightBytes) / Double(f32.weightBytes)
        #expect(ratio > 0.5 && ratio < 0.75, "bf16/f32 weight bytes \(ratio)")
    }

    @Test func int8AgreesWithReferenceAboveFloor() throws {
        let model = try Qwen3ASR(folder: Qwen3Fixtures.url("asr-tiny-bf16"), precision: .int8(groupSize: 128))
        var agree = 0, total = 0
        for clip in Self.clips {
            for mode in ["forced", "auto"] {
                let (ids, expected) = try Self.greedy(model, clip: clip, mode: mode)
                agree += zip(ids, expected).filter { $0 == $1 }.count
                total += expected.count
            }
        }
        print("Qwen3 int8/g128 token agreement with the official ids: \(agree)/\(total)")
        #expect(total == 192)
        #expect(agree >= Self.int8Floor, "int8 agreement \(agree)/\(total)")
    }

    /// Measured 123/192 (2026-11-27): the tiny model's rows are 64 or 128 wide, so a 128-column group
    /// is one scale per row, and the first differing id changes every later step of that run.
    static let int8Floor = 110
}
