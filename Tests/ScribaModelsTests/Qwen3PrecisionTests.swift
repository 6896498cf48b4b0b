import Foundation
import Testing
import ScribaTensor
@testable import ScribaModels

// Weight storage precision on the tiny parity fixtures (Tests/Fixtures/README.md). The bf16
// checkpoint loaded by default (held as bf16, computed in f32) or widened to f32 must give the
// official greedy ids (computed in f32 from the bf16 values) exactly. Asked for as bf16, its
// many-row products (encoder, prefill) run in bf16 where oneDNN is present and its KV cache is bf16,
// and int8 (group-wise, 128 columns) is lossy too: their agreement with the official ids is measured
// and held above a floor.

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

    /// Greedy ids agreeing with the official ones over every clip and mode, of 192.
    static func agreement(_ model: Qwen3ASR) throws -> Int {
        var agree = 0, total = 0
        for clip in Self.clips {
            for mode in ["forced", "auto"] {
                let (ids, expected) = try Self.greedy(model, clip: clip, mode: mode)
                agree += zip(ids, expected).filter { $0 == $1 }.count
                total += expected.count
            }
        }
        #expect(total == 192)
        return agree
    }

    @Test(arguments: [WeightPrecision?.none, .f32])
    func bf16CheckpointByDefaultOrWidenedGivesReferenceIds(precision: WeightPrecision?) throws {
        let model = try Qwen3ASR(folder: Qwen3Fixtures.url("asr-tiny-bf16"), precision: precision)
        #expect(model.precision == precision ?? .bf16)
        #expect(!model.lowPrecisionProducts || precision == .f32)
        #expect(try Self.agreement(model) == 192)
    }

    @Test func bf16StorageAgreesWithReferenceAboveFloor() throws {
        let model = try Qwen3ASR(folder: Qwen3Fixtures.url("asr-tiny-bf16"), precision: .bf16)
        #expect(model.precision == .bf16)
        let agree = try Self.agreement(model)
        print("Qwen3 bf16 token agreement with the official ids: \(agree)/192 (oneDNN: \(OneDNN.isAvailable))")
        #expect(agree >= Self.bf16Floor, "bf16 agreement \(agree)/192")
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
        let agree = try Self.agreement(model)
        print("Qwen3 int8/g128 token agreement with the official ids: \(agree)/192 (oneDNN: \(OneDNN.isAvailable))")
        #expect(agree >= Self.int8Floor, "int8 agreement \(agree)/192")
    }

    /// Measured 123/192 (2026-11-27): the tiny model's rows are 64 or 128 wide, so a 128-column group
    /// is one scale per row, and the first differing id changes every later step of that run.
    /// 129/192 with oneDNN (bf16 products in the encoder, its convs and the prefill), 123/192 without
    /// (2026-12-06); near-ties flip differently with every rounding.
    static let int8Floor = 110
    /// Measured 192/192 with and without oneDNN (2026-12-06); a floor, not equality, since bf16
    /// products and the bf16 KV cache may flip a near-tied step of this random model elsewhere.
    static let bf16Floor = 176
}
