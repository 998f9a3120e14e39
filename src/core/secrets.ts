// Hides secrets (a registry password, in every form it travels) in text meant for logs and errors.

/** Replaces every occurrence of each secret (and its base64 forms) in text meant for logs. */
export function maskSecret(text: string, ...secrets: Array<string | undefined>): string {
  let masked = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    const forms = [secret, Buffer.from(secret).toString('base64'), Buffer.from(`AWS:${secret}`).toString('base64')];
    for (const form of forms) masked = masked.split(form).join('****');
  }
  return masked;
}
