import * as vscode from 'vscode';
import { classifyKeyText } from '../../core/jwt/keyText';
import type { KeySource } from '../../core/jwt/verifyTypes';

type Choice = vscode.QuickPickItem & { readonly from: 'file' | 'clipboard' | 'secret' };

/** A JWKS/JWK (JSON), a PEM public key/certificate or a bare base64 key body (see classifyKeyText). */
function classify(text: string, where: string): KeySource | undefined {
  const source = classifyKeyText(text);
  if (source) return source;
  void vscode.window.showErrorMessage(
    `${where} holds neither a JWKS / JWK (JSON) nor a PEM public key or certificate. Nothing was verified.`,
  );
  return undefined;
}

/**
 * Asks where the verification key comes from: a file, the clipboard, or an HMAC secret typed into
 * a password box. Nothing the user gives here is stored.
 */
export async function pickKey(): Promise<KeySource | undefined> {
  const choices: Choice[] = [
    {
      from: 'file',
      label: '$(file) Key file…',
      description: 'JWKS or JWK (.json), PEM public key or certificate',
    },
    {
      from: 'clipboard',
      label: '$(clippy) Key on the clipboard',
      description: 'JWKS / JWK JSON, PEM public key or certificate',
    },
    {
      from: 'secret',
      label: '$(lock) HMAC secret…',
      description: 'for HS256 / HS384 / HS512; typed into a password box, never stored',
    },
  ];
  const choice = await vscode.window.showQuickPick(choices, {
    title: 'Verify with key',
    placeHolder: 'Where is the key that signed this token?',
  });
  switch (choice?.from) {
    case undefined:
      return undefined;
    case 'file': {
      const [uri] =
        (await vscode.window.showOpenDialog({
          title: 'Choose a JWKS, JWK, PEM public key or certificate',
          canSelectMany: false,
          filters: { Keys: ['json', 'jwks', 'pem', 'crt', 'cer', 'pub'], 'All files': ['*'] },
        })) ?? [];
      if (!uri) return undefined;
      const bytes = await vscode.workspace.fs.readFile(uri);
      return classify(new TextDecoder().decode(bytes), 'The file');
    }
    case 'clipboard':
      return classify(await vscode.env.clipboard.readText(), 'The clipboard');
    case 'secret': {
      const secret = await vscode.window.showInputBox({
        title: 'Verify with HMAC secret',
        prompt: 'The shared secret the token was signed with. It is used once and not stored.',
        password: true,
        ignoreFocusOut: true,
        validateInput: (value) => (value === '' ? 'Type the secret.' : undefined),
      });
      return secret ? { kind: 'secret', secret } : undefined;
    }
  }
}
