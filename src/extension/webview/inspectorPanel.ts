import * as vscode from 'vscode';
import { clampDepth, jsonText } from '../../core/jwt/deepJson';
import { errorMessage, asClause } from '../../core/errors';
import { inspectToken } from '../../core/jwt/inspect';
import type { JwksCache } from '../../core/jwt/jwks';
import type { Inspection } from '../../core/jwt/types';
import { checkAudience, verifySignature } from '../../core/jwt/verify';
import type { KeySource } from '../../core/jwt/verifyTypes';
import type { Logger } from '../../core/ports';
import type { ClipboardGuard } from '../../core/clipboard/clearAfter';
import type {
  CallView,
  CopyTarget,
  HostToWebview,
  InspectorState,
  PersistedWebviewState,
  TrustMessage,
  VerificationView,
  WebviewToHost,
} from '../../shared/protocol';
import type { Settings } from '../adapters/settings';
import { parseWebviewMessage } from '../../shared/messages';
import { inspectorHtml, makeNonce } from './html';
import { CommandId } from '../commands/commandId';

/** What the webview reported after its last render. */
export interface RenderedInfo {
  readonly token: string;
  readonly claimNames: readonly string[];
  readonly countdown: string;
}

export interface InspectorDeps {
  readonly extensionUri: vscode.Uri;
  readonly secrets: vscode.SecretStorage;
  readonly jwks: JwksCache;
  readonly logger: Logger;
  readonly settings: () => Settings;
  /** Asks the user for a key; undefined when they cancel. */
  readonly pickKey: () => Promise<KeySource | undefined>;
  readonly clipboard: ClipboardGuard;
}

const VIEW_TYPE = 'tokenExplorer.inspector';
const CONTEXT_KEY = 'tokenExplorer.inspectorOpen';
// The inspected token is kept in SecretStorage (not in webview state, which is a plain file) so
// the panel can come back after a window reload.
const SECRET_KEY = 'inspector.current';
const BEARER_PREFIX = 'Bearer ';

/** The "Token Inspector" webview panel: one panel, showing the last inspected token. */
export class InspectorPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private state: InspectorState | undefined;
  private generation = 0;
  private readonly renderedEmitter = new vscode.EventEmitter<RenderedInfo>();
  private readonly disposables: vscode.Disposable[] = [this.renderedEmitter];
  private lastRenderedInfo: RenderedInfo | undefined;

  /** Fires after the webview has rendered a token (tests wait on it). */
  readonly onDidRender = this.renderedEmitter.event;

  constructor(private readonly deps: InspectorDeps) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
        deserializeWebviewPanel: (panel, state: unknown) => this.restore(panel, state),
      }),
    );
  }

  get current(): InspectorState | undefined {
    return this.state;
  }

  get lastRendered(): RenderedInfo | undefined {
    return this.lastRenderedInfo;
  }

  /**
   * Shows an inspection, opening or revealing the panel, then checks the signature. `foundIn`
   * says where a token the extension itself obtained came from (instead of "pasted text").
   */
  async show(inspection: Inspection, foundIn?: string): Promise<void> {
    await this.deps.secrets.store(SECRET_KEY, inspection.token);
    const panel = this.ensurePanel();
    this.present(panel, foundIn ? { ...inspection, foundIn } : inspection);
  }

  /** Verifies the shown token again with a key the user supplies. */
  async verifyWithKey(): Promise<void> {
    const state = this.state;
    if (!state) {
      void vscode.window.showInformationMessage(
        'Inspect a token first, then verify it with a key.',
      );
      return;
    }
    const key = await this.deps.pickKey();
    if (key) await this.verify(state, key);
  }

  /** Copies the shown token in one of its forms. */
  async copy(target: CopyTarget): Promise<void> {
    const state = this.state;
    if (!state) return;
    const { inspection } = state;
    const text =
      target === 'token'
        ? inspection.token
        : target === 'bearer'
          ? `Authorization: ${BEARER_PREFIX}${inspection.token}`
          : target === 'header-json'
            ? jsonText(inspection.header ?? {})
            : jsonText({ header: inspection.header, payload: inspection.payload });
    if (target === 'token' || target === 'bearer') await this.deps.clipboard.copySecret(text);
    else await this.deps.clipboard.copyPlain(text);
    const what =
      target === 'token' ? 'Token' : target === 'bearer' ? 'Bearer header' : 'Decoded JSON';
    vscode.window.setStatusBarMessage(`$(check) ${what} copied`, 3000);
  }

  /**
   * Shows a Call Service result (or an offline check) for a token, opening the inspector on that
   * token first when it is not the one shown.
   */
  async showCall(inspection: Inspection, call: CallView, foundIn?: string): Promise<void> {
    if (this.state?.inspection.token !== inspection.token || !this.panel) {
      await this.show(inspection, foundIn);
    }
    const state = this.state;
    if (!state) return;
    this.state = { ...state, call };
    this.post({ type: 'call', token: inspection.token, call });
  }

  /** Masked mode changed: the panel re-renders the raw token. */
  setMasked(masked: boolean): void {
    if (this.state) this.state = { ...this.state, masked };
    this.post({ type: 'masked', masked });
  }

  /** Shows the result of a trust check for the token it names (dropped if another is shown). */
  showTrust(message: TrustMessage): void {
    if (this.state?.inspection.token === message.token) this.post(message);
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }

  private ensurePanel(): vscode.WebviewPanel {
    if (this.panel) {
      this.panel.reveal(undefined, true);
      return this.panel;
    }
    const panel = vscode.window.createWebviewPanel(
      VIEW_TYPE,
      'Token Inspector',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      this.webviewOptions(),
    );
    this.attach(panel);
    return panel;
  }

  private webviewOptions(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      enableCommandUris: false,
      retainContextWhenHidden: false,
      localResourceRoots: [
        vscode.Uri.joinPath(this.deps.extensionUri, 'dist'),
        vscode.Uri.joinPath(this.deps.extensionUri, 'media'),
      ],
    };
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'activitybar.svg');
    const { webview } = panel;
    webview.options = this.webviewOptions();
    const asUri = (...segments: string[]) =>
      webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, ...segments)).toString();
    webview.html = inspectorHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: asUri('dist', 'webview', 'inspector.js'),
      styleUri: asUri('media', 'inspector.css'),
      callStyleUri: asUri('media', 'callService.css'),
      codiconsUri: asUri('dist', 'codicons', 'codicon.css'),
    });
    const subscriptions = [
      webview.onDidReceiveMessage((data: unknown) => this.receive(data)),
      panel.onDidDispose(() => {
        for (const s of subscriptions) s.dispose();
        if (this.panel === panel) {
          this.panel = undefined;
          this.state = undefined;
          void vscode.commands.executeCommand('setContext', CONTEXT_KEY, false);
        }
      }),
    ];
    void vscode.commands.executeCommand('setContext', CONTEXT_KEY, true);
  }

  private async restore(panel: vscode.WebviewPanel, persisted: unknown): Promise<void> {
    this.panel?.dispose();
    this.attach(panel);
    const ref = (persisted as Partial<PersistedWebviewState> | undefined)?.ref;
    const token = ref ? await this.deps.secrets.get(SECRET_KEY) : undefined;
    if (!token) {
      this.post({
        type: 'empty',
        message: 'The token shown before the reload is no longer available.',
      });
      return;
    }
    try {
      this.present(panel, inspectToken(token));
    } catch (error) {
      this.post({ type: 'empty', message: errorMessage(error) });
    }
  }

  private present(panel: vscode.WebviewPanel, inspection: Inspection): void {
    const settings = this.deps.settings();
    const generation = ++this.generation;
    const state: InspectorState = {
      ref: `${Date.now().toString(36)}-${generation}`,
      inspection,
      verification: { status: 'pending', detail: 'Checking the signature…' },
      audience: checkAudience(inspection.payload, settings.expectedAudience),
      clockSkewSeconds: settings.clockSkewSeconds,
      masked: settings.maskTokens,
    };
    this.state = state;
    this.postState(state);
    void this.verify(state, { kind: 'issuer' });
  }

  private async verify(state: InspectorState, keySource: KeySource): Promise<void> {
    const generation = this.generation;
    const settings = this.deps.settings();
    if (keySource.kind !== 'issuer') {
      this.update(state, {
        status: 'pending',
        detail: 'Checking the signature with the supplied key…',
      });
    }
    const outcome = await verifySignature(state.inspection, {
      keySource,
      jwks: this.deps.jwks,
      allowNetwork: settings.fetchIssuerKeys,
    });
    if (generation !== this.generation) return;
    this.deps.logger.info(
      `Verification of a token from ${state.inspection.issuer ?? 'an unknown issuer'}: ${outcome.status}`,
    );
    this.update(state, outcome);
  }

  private update(state: InspectorState, verification: VerificationView): void {
    const next: InspectorState = { ...state, verification };
    this.state = next;
    this.post({
      type: 'verification',
      token: state.inspection.token,
      verification,
      audience: state.audience,
    });
  }

  /** Sends the state to show, with header and payload cut to a depth the messaging layer takes. */
  private postState(state: InspectorState): void {
    this.post({ type: 'show', state: { ...state, inspection: wireInspection(state.inspection) } });
  }

  /**
   * Sends a message; when VS Code cannot serialize it (a structure deeper than its JSON writer
   * allows), the panel is told why instead of waiting for it forever.
   */
  private post(message: HostToWebview): void {
    const panel = this.panel;
    if (!panel) return;
    const failed = (error: unknown) => {
      this.deps.logger.warn(`Inspector message "${message.type}" not sent: ${errorMessage(error)}`);
      if (message.type !== 'empty') {
        void panel.webview.postMessage({
          type: 'empty',
          message: `This token cannot be shown: ${asClause(errorMessage(error))}.`,
        } satisfies HostToWebview);
      }
    };
    try {
      panel.webview.postMessage(message).then(undefined, failed);
    } catch (error) {
      failed(error);
    }
  }

  /** The webview is untrusted: act only on a message that parses as the protocol says. */
  private receive(data: unknown): void {
    const message = parseWebviewMessage(data);
    if (message) {
      this.onMessage(message);
      return;
    }
    // Its content is not logged: it may hold anything, a token included.
    this.deps.logger.warn('Ignored a malformed message from the inspector webview.');
  }

  private onMessage(message: WebviewToHost): void {
    switch (message.type) {
      case 'ready':
        if (this.state) this.postState(this.state);
        return;
      case 'copy':
        void this.copy(message.target);
        return;
      case 'verifyWithKey':
        void this.verifyWithKey();
        return;
      case 'verifyWithIssuer':
        if (this.state) void this.verify(this.state, { kind: 'issuer' });
        return;
      case 'checkTrust':
        void vscode.commands.executeCommand(CommandId.CheckTrust);
        return;
      case 'inspectAnother':
        void vscode.commands.executeCommand(CommandId.InspectJwt, { another: true });
        return;
      case 'callService':
        void vscode.commands.executeCommand(CommandId.CallService, { source: 'inspector' });
        return;
      case 'checkAgainstUrl':
        void vscode.commands.executeCommand(CommandId.CheckAgainstUrl, {
          source: 'inspector',
        });
        return;
      case 'copyAs':
        void vscode.commands.executeCommand(CommandId.CopyAs, { source: 'inspector' });
        return;
      case 'copyFindingCommand': {
        const command = this.state?.call?.findings[message.index]?.command;
        if (command) {
          void this.deps.clipboard.copyPlain(command).then(() => {
            vscode.window.setStatusBarMessage('$(check) Command copied (not run)', 3000);
          });
        }
        return;
      }
      case 'rendered':
        // A report about a state no longer shown is dropped; the token comes from the host's own state.
        if (this.state?.ref !== message.ref) return;
        this.lastRenderedInfo = {
          token: this.state.inspection.token,
          claimNames: message.claimNames,
          countdown: message.countdown,
        };
        this.renderedEmitter.fire(this.lastRenderedInfo);
        return;
      default: {
        const unhandled: never = message;
        this.deps.logger.warn(`Unhandled inspector message ${JSON.stringify(unhandled)}`);
      }
    }
  }
}

/**
 * The inspection as sent to the webview: header and payload members nested deeper than the
 * messaging layer can serialize become a note (their claim rows already hold them as text).
 */
function wireInspection(inspection: Inspection): Inspection {
  const header = inspection.header && clampDepth(inspection.header);
  const payload = inspection.payload && clampDepth(inspection.payload);
  return header === inspection.header && payload === inspection.payload
    ? inspection
    : {
        ...inspection,
        ...(header ? { header } : {}),
        ...(payload ? { payload } : {}),
      };
}
