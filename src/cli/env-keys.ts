// A venue's keys from the environment, by the variable names its registry entry gives (a live
// venue's or a gateway's): their values, or every variable that is missing or empty, named
// together. The CLI is the only reader of the environment; the values go where the caller hands
// them and into no message.
export type EnvKeys = { readonly keys: Readonly<Record<string, string>> } | { readonly missing: readonly string[] };

export function envKeys(names: readonly string[], env: Readonly<Record<string, string | undefined>>): EnvKeys {
  const keys: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of names) {
    const value = env[name] ?? '';
    if (value === '') missing.push(name);
    else keys[name] = value;
  }
  return missing.length > 0 ? { missing } : { keys };
}
