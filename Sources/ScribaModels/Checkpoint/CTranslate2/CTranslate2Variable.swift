// Element types and per-variable metadata of a CTranslate2 `model.bin`.
// Type ids follow CTranslate2's `DataType` enum (include/ctranslate2/types.h), mirrored by
// `_dtype_to_type_id` in python/ctranslate2/specs/model_spec.py: the order is the file format.

/// Element type of one variable in a CTranslate2 model.
public enum CTranslate2DType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case float32 = 0
    case int8 = 1
    case int16 = 2
    case int32 = 3
    case float16 = 4
    case bfloat16 = 5

    /// Bytes per element.
    public var byteWidth: Int {
        switch self {
        case .int8: return 1
        case .int16, .float16, .bfloat16: return 2
        case .float32, .int32: return 4
        }
    }

    public var description: String {
        switch self {
        case .float32: return "float32"
        case .int8: return "int8"
        case .int16: return "int16"
        case .int32: return "int32"
        case .float16: return "float16"
        case .bfloat16: return "bfloat16"
        }
    }

    /// Binary versions 1–3 stored only the item size; CTranslate2 maps it back this way
    /// (model.cc `get_dtype_from_item_size`, which it calls "old and flawed": 2 means int16, not float16).
    static func legacy(itemSize: UInt8) -> CTranslate2DType? {
        switch itemSize {
        case 4: return .float32
        case 2: return .int16
        case 1: return .int8
        default: return nil
        }
    }
}

/// Where one variable's data lives in the mapped file and how to read it.
public struct CTranslate2VariableInfo: Sendable, Equatable {
    /// The stored name (an alias resolves to its target's info, so this is the target's name).
    public let name: String
    public let dtype: CTranslate2DType
    /// Dimensions as stored; `[]` for a scalar (one element).
    public let shape: [Int]
    /// Offset of the first data byte from the start of the file.
    public let byteOffset: Int
    public let byteCount: Int

    /// Number of elements (1 for a scalar).
    public var elementCount: Int { byteCount / dtype.byteWidth }
}
