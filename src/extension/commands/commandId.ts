// Imports nothing, so views, adapters and the webview host can name commands without pulling in
// the command implementations. A unit test (test/unit/commandIds.test.ts) checks that every id
// is contributed in package.json and back, and that no other source file spells one out.

/** Every command the extension contributes (package.json `contributes.commands`). */
export enum CommandId {
  InspectJwt = 'tokenExplorer.inspectJwt',
  InspectSelection = 'tokenExplorer.inspectSelection',
  VerifyWithKey = 'tokenExplorer.verifyWithKey',
  CopyInspectedToken = 'tokenExplorer.copyInspectedToken',
  CopyInspectedBearer = 'tokenExplorer.copyInspectedBearer',
  GetIdToken = 'tokenExplorer.getIdToken',
  CopyBearerHeader = 'tokenExplorer.copyBearerHeader',
  CopyAsCurl = 'tokenExplorer.copyAsCurl',
  InspectAudience = 'tokenExplorer.inspectAudience',
  InspectLatest = 'tokenExplorer.inspectLatest',
  RefreshToken = 'tokenExplorer.refreshToken',
  RefreshAll = 'tokenExplorer.refreshAll',
  AddAccount = 'tokenExplorer.addAccount',
  DetectCredentials = 'tokenExplorer.detectCredentials',
  EditAccount = 'tokenExplorer.editAccount',
  RemoveAccount = 'tokenExplorer.removeAccount',
  ShowLog = 'tokenExplorer.showLog',
  ImportToken = 'tokenExplorer.importToken',
  InspectImported = 'tokenExplorer.inspectImported',
  CopyImportedBearer = 'tokenExplorer.copyImportedBearer',
  RemoveImported = 'tokenExplorer.removeImported',
  StartLocalIssuer = 'tokenExplorer.startLocalIssuer',
  StopLocalIssuer = 'tokenExplorer.stopLocalIssuer',
  CopyLocalIssuerUrl = 'tokenExplorer.copyLocalIssuerUrl',
  MintTestToken = 'tokenExplorer.mintTestToken',
  EditTestTokenTemplate = 'tokenExplorer.editTestTokenTemplate',
  InsertIdTokens = 'tokenExplorer.insertIdTokens',
  CallService = 'tokenExplorer.callService',
  CheckAgainstUrl = 'tokenExplorer.checkAgainstUrl',
  CopyAs = 'tokenExplorer.copyAs',
  ToggleMaskedMode = 'tokenExplorer.toggleMaskedMode',
  CheckTrust = 'tokenExplorer.checkTrust',
}
