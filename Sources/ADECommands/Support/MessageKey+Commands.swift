import ADECore

extension MessageKey {
    static let cliErrorLine: MessageKey = "cli.error.line"

    static let keypairWritten: MessageKey = "cli.token.keypair.written"
    static let keypairKeepSecret: MessageKey = "cli.token.keypair.keep_secret"
    static let keypairValidity: MessageKey = "cli.token.keypair.validity"
    static let keypairNext: MessageKey = "cli.token.keypair.next"

    static let decryptLabelConsumerKey: MessageKey = "cli.token.decrypt.label.consumer_key"
    static let decryptLabelConsumerSecret: MessageKey = "cli.token.decrypt.label.consumer_secret"
    static let decryptLabelAccessToken: MessageKey = "cli.token.decrypt.label.access_token"
    static let decryptLabelAccessSecret: MessageKey = "cli.token.decrypt.label.access_secret"
    static let decryptLabelIssued: MessageKey = "cli.token.decrypt.label.issued"
    static let decryptLabelExpires: MessageKey = "cli.token.decrypt.label.expires"
    static let decryptValidFor: MessageKey = "cli.token.decrypt.valid_for"
    static let decryptValidUnderADay: MessageKey = "cli.token.decrypt.valid_under_a_day"
    static let decryptExpiredAgo: MessageKey = "cli.token.decrypt.expired_ago"
    static let decryptExpiredUnderADay: MessageKey = "cli.token.decrypt.expired_under_a_day"
    static let decryptUnknown: MessageKey = "cli.token.decrypt.unknown"
}

extension MessageKey {
    static let depDisownWarning: MessageKey = "cli.dep.disown.warning"
    static let simulatorListening: MessageKey = "cli.simulator.listening"
    static let simulatorServer: MessageKey = "cli.simulator.server"
    static let simulatorCredentialsWritten: MessageKey = "cli.simulator.credentials_written"
}

extension MessageKey {
    static let tokenCreateNext: MessageKey = "cli.token.create.next"
    static let tokenCertificateNew: MessageKey = "cli.token.certificate.new"
    static let tokenUploadStored: MessageKey = "cli.token.upload.stored"
    static let tokenUploadStoredUnconfirmed: MessageKey = "cli.token.upload.stored_unconfirmed"
    static let tokenUploadRenewed: MessageKey = "cli.token.upload.renewed"
    static let tokenUploadPending: MessageKey = "cli.token.upload.pending"
    static let tokenUploadConsumerKeyChanged: MessageKey = "cli.token.upload.consumer_key_changed"
    static let tokenUploadNewCertificate: MessageKey = "cli.token.upload.new_certificate"
    static let tokenDeleteWarning: MessageKey = "cli.token.delete.warning"
    static let tokenDeleteDone: MessageKey = "cli.token.delete.done"
    static let tokenListEmpty: MessageKey = "cli.token.list.empty"
    static let tokenFieldName: MessageKey = "cli.token.field.name"
    static let tokenFieldState: MessageKey = "cli.token.field.state"
    static let tokenFieldCause: MessageKey = "cli.token.field.cause"
    static let tokenFieldImpact: MessageKey = "cli.token.field.impact"
    static let tokenFieldSteps: MessageKey = "cli.token.field.steps"
    static let tokenFieldServer: MessageKey = "cli.token.field.server"
    static let tokenFieldOrganisation: MessageKey = "cli.token.field.organisation"
    static let tokenFieldExpires: MessageKey = "cli.token.field.expires"
    static let tokenFieldDevices: MessageKey = "cli.token.field.devices"
    static let tokenFieldServiceURL: MessageKey = "cli.token.field.service_url"
    static let tokenFieldConsumerKey: MessageKey = "cli.token.field.consumer_key"
    static let tokenFieldUploaded: MessageKey = "cli.token.field.uploaded"
    static let tokenFieldPending: MessageKey = "cli.token.field.pending"
    static let tokenFieldAdmin: MessageKey = "cli.token.field.admin"
    static let tokenValueNone: MessageKey = "cli.token.value.none"
    static let keyRotateFile: MessageKey = "cli.key.rotate.file"
    static let storeCopyTable: MessageKey = "cli.store.copy.table"
    static let storeCopyDone: MessageKey = "cli.store.copy.done"
    static let nodesNone: MessageKey = "cli.nodes.none"
    static let nodesNode: MessageKey = "cli.nodes.node"
    static let nodesSilent: MessageKey = "cli.nodes.silent"
    static let keyFileExposed: MessageKey = "cli.key.file_exposed"
    static let keyRotateEnvironment: MessageKey = "cli.key.rotate.environment"
}

extension MessageKey {
    static let syncSummary: MessageKey = "cli.sync.summary"
    static let syncKindFull: MessageKey = "cli.sync.kind.full"
    static let syncKindDelta: MessageKey = "cli.sync.kind.delta"
    static let syncFailed: MessageKey = "cli.sync.failed"
    static let syncWaiting: MessageKey = "cli.sync.waiting"
    static let syncProgressEstimated: MessageKey = "cli.sync.progress.estimated"
    static let syncProgressCounting: MessageKey = "cli.sync.progress.counting"
    static let syncPhaseFetch: MessageKey = "cli.sync.phase.fetch"
    static let syncPhaseSync: MessageKey = "cli.sync.phase.sync"
    static let devicesEmpty: MessageKey = "cli.devices.empty"
    static let devicesRemovedOn: MessageKey = "cli.devices.removed_on"
    static let devicesLeftOut: MessageKey = "cli.devices.left_out"
    static let deliveriesNone: MessageKey = "cli.deliveries.none"
    static let deliveriesHeader: MessageKey = "cli.deliveries.header"
    static let devicesColumnSerial: MessageKey = "cli.devices.column.serial"
    static let devicesColumnFamily: MessageKey = "cli.devices.column.family"
    static let devicesColumnModel: MessageKey = "cli.devices.column.model"
    static let devicesColumnProfile: MessageKey = "cli.devices.column.profile"
    static let devicesColumnToken: MessageKey = "cli.devices.column.token"
    static let devicesColumnRemoved: MessageKey = "cli.devices.column.removed"
    static let devicesColumnAssignment: MessageKey = "cli.devices.column.assignment"
}

extension MessageKey {
    static let doctorLine: MessageKey = "cli.doctor.line"
    static let doctorRemedy: MessageKey = "cli.doctor.remedy"
    static let doctorImpact: MessageKey = "cli.doctor.impact"
    static let doctorClears: MessageKey = "cli.doctor.clears"
    static let doctorSummary: MessageKey = "cli.doctor.summary"
    static let doctorNoTokens: MessageKey = "cli.doctor.no_tokens"
}

extension MessageKey {
    static let serveListening: MessageKey = "cli.serve.listening"
    static let serveSetupLink: MessageKey = "cli.serve.setup_link"
    static let userAdded: MessageKey = "cli.user.added"
    static let userPasswordPrompt: MessageKey = "cli.user.password_prompt"
    static let userPasswordAgain: MessageKey = "cli.user.password_again"
    static let userNone: MessageKey = "cli.user.none"
    static let userDeleted: MessageKey = "cli.user.deleted"
    static let userPasswordReset: MessageKey = "cli.user.password_reset"
    static let apiTokenCreated: MessageKey = "cli.api_token.created"
    static let apiTokenNone: MessageKey = "cli.api_token.none"
    static let apiTokenNeverUsed: MessageKey = "cli.api_token.never_used"
    static let apiTokenRevoked: MessageKey = "cli.api_token.revoked"
}

extension MessageKey {
    static let demoReady: MessageKey = "cli.demo.ready"
    static let demoStopped: MessageKey = "cli.demo.stopped"
}

extension MessageKey {
    static let profileCreated: MessageKey = "cli.profile.created"
    static let profileListEmpty: MessageKey = "cli.profile.list_empty"
    static let profileShowHeader: MessageKey = "cli.profile.show_header"
    static let profileEditPreview: MessageKey = "cli.profile.edit_preview"
    static let profileEditEraseNote: MessageKey = "cli.profile.edit_erase_note"
    static let profileEdited: MessageKey = "cli.profile.edited"
    static let profileDeleted: MessageKey = "cli.profile.deleted"
    static let profileAssigned: MessageKey = "cli.profile.assigned"
    static let profileRemoved: MessageKey = "cli.profile.removed"
    static let profileDefaultSet: MessageKey = "cli.profile.default_set"
    static let profileDefaultCleared: MessageKey = "cli.profile.default_cleared"
    static let profileFamilyAll: MessageKey = "cli.profile.family_all"
}

extension MessageKey {
    static let alertChannelAdded: MessageKey = "cli.alert.channel.added"
    static let alertChannelAddedWithSecret: MessageKey = "cli.alert.channel.added_with_secret"
    static let alertChannelTestSent: MessageKey = "cli.alert.channel.test_sent"
    static let alertChannelTestAnswered: MessageKey = "cli.alert.channel.test_answered"
    static let webhookAdded: MessageKey = "cli.webhook.added"
}

extension MessageKey {
    static let webhookPinged: MessageKey = "cli.webhook.pinged"
    static let devicesRefreshed: MessageKey = "cli.devices.refreshed"
    static let devicesNotStored: MessageKey = "cli.devices.not_stored"
}
