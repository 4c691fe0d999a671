/// A child that could not be started, or a temporary file or folder that could not be made.
public struct ProcessSupportError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
