public import ADESupport
public import DEPClient
public import Foundation

extension ProfileDocument {
    /// The document of Apple's profile fields.
    public init(_ profile: Profile) {
        // A profile is strings, booleans and arrays of strings: encoding it cannot fail.
        let bytes = (try? JSONCoding.encode(profile)) ?? Array("{}".utf8)
        self.init(json: String(decoding: bytes, as: UTF8.self))
    }

    /// Apple's profile fields; an empty profile for a document that is not one (never written by `ade`).
    public var profile: Profile {
        (try? JSONCoding.decoder().decode(Profile.self, from: Data(json.utf8))) ?? Profile()
    }
}

extension StoredProfile {
    /// Apple's fields (`profile_name`, `url`, …) as they will be, or were, defined.
    public var profile: Profile {
        get { document.profile }
        set { document = ProfileDocument(newValue) }
    }
}

extension ProfileStore {
    /// Stores a new profile of Apple's fields, not yet defined at Apple.
    public func createProfile(tokenID: Int64, name: String, profile: Profile, at date: Date) async throws
        -> StoredProfile
    {
        try await createProfile(tokenID: tokenID, name: name, document: ProfileDocument(profile), at: date)
    }
}
