import Foundation

/// One sentence for any error a batch meets. Scriba's own errors already say what to do; Foundation's
/// file errors print on Linux as an `NSCocoaErrorDomain … UserInfo={…}` dump, so they are named here
/// by what happened to which path.
public enum ReadableError {
    public static func sentence(_ error: Error) -> String {
        if let localized = error as? LocalizedError, let text = localized.errorDescription { return text }
        let ns = error as NSError
        guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return String(describing: error) }
        let path = (ns.userInfo[NSURLErrorKey] as? URL)?.path ?? ns.userInfo[NSFilePathErrorKey] as? String ?? "a file"
        let what = cause(error)
        return what == noSuchFile ? "no such file: \(path). Check the path and try again." : "\(path): \(what)."
    }

    static let noSuchFile = "no such file or folder"

    /// What went wrong, without the path ("permission denied"), for messages that name the path themselves.
    public static func cause(_ error: Error) -> String {
        let ns = error as NSError
        let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError
        let posix = ns.domain == NSPOSIXErrorDomain ? ns.code : underlying?.domain == NSPOSIXErrorDomain ? underlying?.code : nil
        switch (CocoaError.Code(rawValue: ns.code), posix.map { POSIXErrorCode(rawValue: Int32($0)) }) {
        case (_, .ENOENT?), (.fileNoSuchFile, _), (.fileReadNoSuchFile, _): return noSuchFile
        case (_, .EACCES?), (_, .EPERM?), (.fileReadNoPermission, _), (.fileWriteNoPermission, _): return "permission denied"
        case (_, .ENOSPC?), (.fileWriteOutOfSpace, _): return "no space left on the device"
        case (_, .EROFS?), (.fileWriteVolumeReadOnly, _): return "the file system is read-only"
        case (_, .EISDIR?): return "it is a folder, not a file"
        default:
            let text = (underlying ?? ns).localizedDescription.trimmingCharacters(in: .whitespacesAndNewlines)
            return text.hasSuffix(".") ? String(text.dropLast()) : text
        }
    }
}
