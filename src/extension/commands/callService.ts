import * as vscode from 'vscode';
import { showErrorWithRemedies } from '../remedies';
import { diagnose } from '../../core/call/diagnose';
import { COPY_FORMS, formatToken } from '../../core/call/headerForms';
import type { CopyForm } from '../../core/call/headerForms';
import { DEFAULT_MAX_BODY_BYTES, sendCall } from '../../core/call/send';
import { parseServiceUrl } from '../../core/call/target';
import type {
  CallRequest,
  CallResponse,
  Finding,
  HeaderForm,
  ServiceKind,
} from '../../core/call/types';
import { TokenExplorerError, errorMessage } from '../../core/errors';
import { inspectToken } from '../../core/jwt/inspect';
import type { Inspection } from '../../core/jwt/types';
import type { Fetch } from '../../core/ports';
import type { CallView } from '../../shared/protocol';
import type { TokenCommandDeps } from './tokens';
import { KINDS, askRequest, confirmTransport, pickUrl } from './callServicePrompts';
import { label } from './tokenPickers';
import { accountFromArgs, fetchToken, resolveTarget } from './tokens';

export interface CallCommandDeps extends TokenCommandDeps {
  readonly state: vscode.Memento;
  readonly fetch: Fetch;
}

/**
 * `tokenExplorer.callService` arguments for other extensions and tests: with `url` it runs
 * without asking. The token is `token`, else minted for `{account, audience}`.
 */
export interface CallArgs {
  readonly url: string;
  readonly token?: string;
  readonly account?: string;
  readonly audience?: string;
  readonly method?: string;
  readonly headerForm?: HeaderForm;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly kind?: ServiceKind;
  readonly customAudiences?: readonly string[];
  readonly iapClientId?: string;
}

/** What Call Service (and the offline check) returns to its caller. */
export interface CallOutcome {
  readonly kind: ServiceKind;
  readonly response?: CallResponse;
  readonly error?: string;
  readonly findings: readonly Finding[];
}

/** The token a command acts on, and what it was minted for. */
interface TokenChoice {
  readonly token: string;
  readonly audience?: string;
  readonly foundIn: string;
}

const RECENT_URLS = 'callService.recentUrls';
const MAX_RECENT = 8;

function isCallArgs(arg: unknown): arg is CallArgs {
  return typeof arg === 'object' && arg !== null && typeof (arg as CallArgs).url === 'string';
}

function fromInspector(arg: unknown): boolean {
  return (arg as { source?: string } | undefined)?.source === 'inspector';
}

function firstAudience(inspection: Inspection | undefined): string | undefined {
  const aud = inspection?.payload?.['aud'];
  if (typeof aud === 'string') return aud;
  return Array.isArray(aud) && typeof aud[0] === 'string' ? aud[0] : undefined;
}

/** Recent URLs per audience (most recent first). */
function recentUrls(deps: CallCommandDeps, audience: string | undefined): string[] {
  const all = deps.state.get<Record<string, string[]>>(RECENT_URLS, {});
  return all[audience ?? ''] ?? [];
}

async function rememberUrl(deps: CallCommandDeps, audience: string | undefined, url: string) {
  const all = { ...deps.state.get<Record<string, string[]>>(RECENT_URLS, {}) };
  const key = audience ?? '';
  all[key] = [url, ...(all[key] ?? []).filter((u) => u !== url)].slice(0, MAX_RECENT);
  await deps.state.update(RECENT_URLS, all);
}

/** The token: the inspector's, a tree node's, the arguments', or a picked account's. */
async function chooseToken(deps: CallCommandDeps, arg: unknown, title: string) {
  if (fromInspector(arg)) {
    const inspection = deps.inspector.current?.inspection;
    if (!inspection) {
      void vscode.window.showInformationMessage('Inspect a token first.');
      return undefined;
    }
    const audience = firstAudience(inspection);
    return {
      token: inspection.token,
      foundIn: inspection.foundIn,
      ...(audience ? { audience } : {}),
    };
  }
  if (isCallArgs(arg) || (typeof arg === 'object' && arg !== null && 'token' in arg)) {
    const args = arg as Partial<CallArgs>;
    if (args.token) {
      const aud = args.audience ?? safeAudience(args.token);
      return { token: args.token, foundIn: 'the arguments', ...(aud ? { audience: aud } : {}) };
    }
    const account = accountFromArgs(deps, args);
    const audience = args.audience ?? account.defaultAudience ?? '';
    const issued = await fetchToken(deps, account, audience, { quiet: true });
    return { token: issued.token.token, audience, foundIn: `account ${label(account)}` };
  }
  const target = await resolveTarget(deps, arg, title);
  if (!target) return undefined;
  const issued = await fetchToken(deps, target.account, target.audience).catch(() => undefined);
  if (!issued) return undefined;
  return {
    token: issued.token.token,
    audience: target.audience,
    foundIn: `account ${label(target.account)}`,
  } satisfies TokenChoice;
}

function safeAudience(token: string): string | undefined {
  try {
    return firstAudience(inspectToken(token));
  } catch {
    return undefined;
  }
}

/** Sends the request and diagnoses the answer; a failed call still gets the token findings. */
async function run(
  deps: CallCommandDeps,
  choice: TokenChoice,
  request: CallRequest,
  extra: Pick<CallArgs, 'kind' | 'customAudiences' | 'iapClientId'>,
): Promise<CallOutcome> {
  const settings = deps.settings();
  let response: CallResponse | undefined;
  let error: string | undefined;
  let errorCode = 'network';
  try {
    response = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Calling ${request.method} ${request.url}…`,
        cancellable: true,
      },
      (_progress, cancellation) => {
        const controller = new AbortController();
        cancellation.onCancellationRequested(() => controller.abort());
        return sendCall(deps.fetch, request, choice.token, {
          timeoutMs: settings.providerTimeoutMs,
          maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
          clock: { now: () => performance.now() },
          signal: controller.signal,
        });
      },
    );
  } catch (caught) {
    if (caught instanceof TokenExplorerError && caught.code === 'bad-config') throw caught;
    error = errorMessage(caught);
    if (caught instanceof TokenExplorerError) errorCode = caught.code;
  }
  const diagnosis = diagnose({
    token: choice.token,
    url: request.url,
    headerForm: request.headerForm,
    nowSeconds: Date.now() / 1000,
    clockSkewSeconds: settings.clockSkewSeconds,
    ...(response ? { response } : {}),
    ...(error !== undefined ? { noAnswer: { code: errorCode, message: error } } : {}),
    ...(extra.kind ? { kind: extra.kind } : {}),
    ...(extra.customAudiences ? { customAudiences: extra.customAudiences } : {}),
    ...(extra.iapClientId ? { iapClientId: extra.iapClientId } : {}),
  });
  await rememberUrl(deps, choice.audience, request.url);
  deps.logger.info(
    `Call Service: ${request.method} ${new URL(request.url).origin} → ${response ? `HTTP ${response.status} in ${Math.round(response.elapsedMs)} ms` : (error ?? '')}; ${diagnosis.findings.length} finding(s)`,
  );
  const view: CallView = {
    method: request.method,
    url: request.url,
    headerForm: request.headerForm,
    kind: diagnosis.kind,
    findings: diagnosis.findings,
    ...(response ? { response } : {}),
    ...(error ? { error } : {}),
  };
  await present(deps, choice, view);
  return {
    kind: diagnosis.kind,
    findings: diagnosis.findings,
    ...(response ? { response } : {}),
    ...(error ? { error } : {}),
  };
}

/** Shows a result in the inspector; a credential that is not a JWT gets a notification instead. */
async function present(deps: CallCommandDeps, choice: TokenChoice, view: CallView) {
  let inspection: Inspection | undefined;
  try {
    inspection = inspectToken(choice.token);
  } catch {
    inspection = undefined;
  }
  if (inspection) {
    await deps.inspector.showCall(inspection, view, choice.foundIn);
    return;
  }
  const top = view.findings[0];
  const status = view.response ? `HTTP ${view.response.status}` : (view.error ?? 'no answer');
  void vscode.window.showWarningMessage(
    `Call Service: ${status}. ${top ? `${top.title}. ${top.evidence} ${top.fix}` : ''}`,
  );
}

/**
 * "Call Service…": sends one request with a token and shows status, timing, the headers that
 * matter, the start of the body as text, and the diagnosis. With {@link CallArgs} it runs without
 * asking and returns the outcome; errors in the arguments are thrown.
 */
export async function callService(
  deps: CallCommandDeps,
  arg?: unknown,
): Promise<CallOutcome | undefined> {
  const interactive = !isCallArgs(arg);
  try {
    const choice = await chooseToken(deps, arg, 'Call Service');
    if (!choice) return undefined;
    let request: CallRequest | undefined;
    let extra: Pick<CallArgs, 'kind' | 'customAudiences' | 'iapClientId'> = {};
    if (isCallArgs(arg)) {
      request = {
        method: arg.method ?? 'GET',
        url: arg.url,
        headerForm: arg.headerForm ?? 'authorization',
        headers: arg.headers ?? {},
        ...(arg.body !== undefined ? { body: arg.body } : {}),
      };
      extra = arg;
    } else {
      request = await askRequest(recentUrls(deps, choice.audience), choice.audience);
    }
    if (!request) return undefined;
    if (!(await confirmTransport(parseServiceUrl(request.url)))) return undefined;
    return await run(deps, choice, request, extra);
  } catch (error) {
    if (!interactive) throw error;
    void showErrorWithRemedies(deps, error, {}, `Call Service: ${errorMessage(error)}`);
    return undefined;
  }
}

/**
 * "Check against a URL…": the diagnosis without sending anything (token kind, issuer, audience,
 * times, IAP email). With `{token, url, kind?, iapClientId?}` it runs without asking.
 */
export async function checkAgainstUrl(
  deps: CallCommandDeps,
  arg?: unknown,
): Promise<CallOutcome | undefined> {
  const interactive = !isCallArgs(arg);
  try {
    const choice = await chooseToken(
      deps,
      isCallArgs(arg) ? arg : { source: 'inspector' },
      'Check',
    );
    if (!choice) return undefined;
    let url: string | undefined;
    let extra: Pick<CallArgs, 'kind' | 'customAudiences' | 'iapClientId'> = {};
    if (isCallArgs(arg)) {
      url = arg.url;
      extra = arg;
    } else {
      url = await pickUrl(
        recentUrls(deps, choice.audience),
        choice.audience,
        'Check against a URL (nothing is sent)',
      );
      if (url === undefined) return undefined;
      parseServiceUrl(url);
      const picked = await vscode.window.showQuickPick(
        KINDS.map((k) => ({ ...k, description: k.service ?? '' })),
        { title: 'What protects this URL?' },
      );
      if (!picked) return undefined;
      if (picked.service) extra = { kind: picked.service };
      if (picked.service === 'iap') {
        const client = await vscode.window.showInputBox({
          title: 'IAP OAuth client id (optional)',
          prompt: 'NNN-xxxx.apps.googleusercontent.com; empty to check only its shape',
        });
        if (client === undefined) return undefined;
        if (client.trim()) extra = { ...extra, iapClientId: client.trim() };
      }
    }
    const diagnosis = diagnose({
      token: choice.token,
      url,
      nowSeconds: Date.now() / 1000,
      clockSkewSeconds: deps.settings().clockSkewSeconds,
      ...(extra.kind ? { kind: extra.kind } : {}),
      ...(extra.customAudiences ? { customAudiences: extra.customAudiences } : {}),
      ...(extra.iapClientId ? { iapClientId: extra.iapClientId } : {}),
    });
    await rememberUrl(deps, choice.audience, url);
    await present(deps, choice, {
      method: '',
      url,
      headerForm: 'authorization',
      kind: diagnosis.kind,
      findings: diagnosis.findings,
    });
    return { kind: diagnosis.kind, findings: diagnosis.findings };
  } catch (error) {
    if (!interactive) throw error;
    void showErrorWithRemedies(deps, error, {}, `Check against a URL: ${errorMessage(error)}`);
    return undefined;
  }
}

/**
 * "Copy Token As…": the token as a header line, curl command, .http request or export line. With
 * `{form, token | account, audience, url?}` it copies without asking and returns the text.
 */
export async function copyAs(deps: CallCommandDeps, arg?: unknown): Promise<string | undefined> {
  const given = (arg ?? {}) as Partial<CallArgs> & { form?: CopyForm };
  try {
    const choice = await chooseToken(
      deps,
      given.form && !fromInspector(arg) ? { url: given.url ?? '', ...given } : arg,
      'Copy token as',
    );
    if (!choice) return undefined;
    const form =
      given.form ??
      (
        await vscode.window.showQuickPick(
          COPY_FORMS.map((f) => ({ label: f.label, detail: f.detail, form: f.form })),
          { title: 'Copy the token as' },
        )
      )?.form;
    if (!form) return undefined;
    const url =
      given.url ||
      recentUrls(deps, choice.audience)[0] ||
      (choice.audience && /^https?:\/\//i.test(choice.audience) ? choice.audience : undefined);
    const text = formatToken(form, choice.token, {
      ...(url ? { url } : {}),
      ...(given.method ? { method: given.method } : {}),
      ...(given.headerForm ? { headerForm: given.headerForm } : {}),
    });
    const cleared = await deps.clipboard.copySecret(text);
    const label = COPY_FORMS.find((f) => f.form === form)?.label ?? form;
    vscode.window.setStatusBarMessage(
      `$(check) ${label} copied${cleared ? `; cleared from the clipboard in ${cleared} s` : ''}`,
      4000,
    );
    return text;
  } catch (error) {
    if (given.form) throw error;
    void vscode.window.showErrorMessage(`Copy token as: ${errorMessage(error)}`);
    return undefined;
  }
}
