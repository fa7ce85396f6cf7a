import { Command, CommandRunner, Option } from 'nest-commander';
import { ProductsService } from '../../modules/products/products.service';
import { SigningKeysService } from '../../modules/resources/signing-keys.service';
import { AdminContext } from '../admin-context';
import { CliError } from '../cli-error';

/** Left-aligned columns, two spaces apart. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

@Command({
  name: 'products',
  description: 'list the products with the signing keys of their licenses (resource id, key id, algorithm, named by)',
})
export class ProductsCommand extends CommandRunner {
  constructor(private readonly context: AdminContext) {
    super();
  }

  @Option({ flags: '--json', description: 'one JSON array instead of a table' })
  parseJson(): boolean {
    return true;
  }

  async run(_params: string[], options: { json?: boolean } = {}): Promise<void> {
    const rows = await (await this.context.get(ProductsService)).signingKeys();
    if (options.json) {
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return;
    }
    if (rows.length === 0) {
      process.stderr.write('no products\n');
      return;
    }
    const cells = rows.map((row) => [
      String(row.productId),
      row.productName,
      row.resourceId === null ? '-' : String(row.resourceId),
      row.keyId ?? '-',
      row.algorithm ?? '-',
      row.usedBy.join(',') || '-',
    ]);
    process.stdout.write(`${table(['product', 'name', 'key resource', 'key id', 'algorithm', 'named by'], cells)}\n`);
  }
}

@Command({
  name: 'public-keys',
  arguments: '<productId>',
  argsDescription: { productId: 'the product (see "products")' },
  description:
    "print the PEM public keys that verify a product's licenses, to embed in the application (stdout: PEM only)",
})
export class PublicKeysCommand extends CommandRunner {
  constructor(private readonly context: AdminContext) {
    super();
  }

  @Option({ flags: '--key-id <keyId>', description: 'only the key with this key id' })
  parseKeyId(value: string): string {
    return value.trim();
  }

  async run([productText]: string[], options: { keyId?: string } = {}): Promise<void> {
    if (!/^\d+$/.test(productText)) throw new CliError(`productId must be a whole number, got "${productText}"`, 2);
    const productId = Number(productText);
    const rows = await (await this.context.get(ProductsService)).signingKeys(productId);
    const signingKeys = await this.context.get(SigningKeysService);
    const keys = rows.filter((row) => row.resourceId !== null && (!options.keyId || row.keyId === options.keyId));
    if (keys.length === 0)
      throw new CliError(
        options.keyId
          ? `product ${productId} has no signing key with key id ${options.keyId}`
          : `product ${productId} names no signing key (neither itself, its templates nor its licenses)`,
      );
    for (const row of keys) {
      const key = await signingKeys.describePublicKey(row.resourceId!, 'resource');
      process.stderr.write(
        `key id ${key.keyId} (${key.algorithm}, resource ${row.resourceId}, named by ${row.usedBy.join(', ')})\n`,
      );
      process.stdout.write(key.publicKeyPem.endsWith('\n') ? key.publicKeyPem : `${key.publicKeyPem}\n`);
    }
  }
}
