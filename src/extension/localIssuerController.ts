import * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import { LocalIssuer } from '../core/localIssuer/issuer';
import { DEFAULT_TEMPLATE, parseTemplate } from '../core/localIssuer/mintTemplate';
import type { Clock, Logger, SecretStore } from '../core/ports';
import type { Settings } from './adapters/settings';

const TEMPLATE_FILE = 'local-issuer-template.json';

/**
 * The local issuer as the UI sees it: started on demand (key pair from SecretStorage),
 * stopped with the extension, and a JSON template in global storage for "Mint Test Token".
 */
export class LocalIssuerController implements vscode.Disposable {
  private issuer: LocalIssuer | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly secrets: SecretStore,
    private readonly storage: vscode.Uri,
    private readonly settings: () => Settings,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** The running issuer, if any (the `local-issuer` provider mints through it). */
  running(): LocalIssuer | undefined {
    return this.issuer?.running ? this.issuer : undefined;
  }

  /** Starts the issuer (idempotent) and returns its URL. */
  async start(): Promise<string> {
    const { localIssuerAlgorithm, localIssuerPort } = this.settings();
    if (this.issuer?.running) return this.issuer.start(localIssuerPort);
    this.issuer ??= await LocalIssuer.load(this.secrets, { alg: localIssuerAlgorithm });
    const url = await this.issuer.start(localIssuerPort);
    this.logger.info(`Local issuer started at ${url}`);
    this.announce(true);
    return url;
  }

  async stop(): Promise<void> {
    if (!this.issuer?.running) return;
    await this.issuer.stop();
    this.logger.info('Local issuer stopped');
    this.announce(false);
  }

  /** The template file, created with the default template the first time. */
  async templateUri(): Promise<vscode.Uri> {
    const uri = vscode.Uri.joinPath(this.storage, TEMPLATE_FILE);
    try {
      await vscode.workspace.fs.stat(uri);
    } catch {
      await vscode.workspace.fs.createDirectory(this.storage);
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(DEFAULT_TEMPLATE));
    }
    return uri;
  }

  /** Mints a token from the saved template (an open, unsaved editor of it wins). */
  async mintFromTemplate(): Promise<string> {
    await this.start();
    const uri = await this.templateUri();
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const text = open
      ? open.getText()
      : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const template = parseTemplate(text);
    const issuer = this.running();
    if (!issuer) throw new Error('The local issuer stopped while minting: start it again.');
    const token = await issuer.mint(template, this.clock);
    this.logger.info(`Minted a test token for audience ${JSON.stringify(template.aud)}`);
    return token;
  }

  private announce(running: boolean): void {
    void vscode.commands.executeCommand('setContext', 'tokenExplorer.localIssuerRunning', running);
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
    void this.issuer?.stop().catch((error: unknown) => this.logger.warn(errorMessage(error)));
  }
}
