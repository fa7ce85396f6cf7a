import type { ResourceDto } from '../resources/resources.dto';
import type { ProductOrderDto } from '../orders/orders.dto';
import { AssemblyEntity } from './assembly.entity';
import { ProductEntity } from './product.entity';
import { AssemblyDto, ProductDto, ReleaseDto } from './products.dto';
import { ReleaseEntity } from './release.entity';

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

/** Relations are added only when they were asked for (`include`). */
export function toProductDto(
  product: ProductEntity,
  related: { signatureKeys?: ResourceDto | null; productOrders?: ProductOrderDto[] } = {},
): ProductDto {
  const dto: ProductDto = {
    id: product.id,
    code: product.code,
    name: product.name,
    description: product.description,
    url: product.url,
    copyright: product.copyright,
    createdAt: iso(product.createdAt),
    image: product.image,
    price: product.price,
    resellerPrice: product.resellerPrice,
    currency: product.currency,
    signatureKeysId: product.signatureKeysId,
    meta: product.meta,
  };
  if (related.signatureKeys !== undefined) dto.signatureKeys = related.signatureKeys;
  if (related.productOrders) dto.productOrders = related.productOrders;
  return dto;
}

export function toReleaseDto(release: ReleaseEntity): ReleaseDto {
  return {
    id: release.id,
    releaseDate: iso(release.releaseDate),
    name: release.name,
    version: release.version,
    description: release.description,
  };
}

export function toAssemblyDto(assembly: AssemblyEntity): AssemblyDto {
  return {
    id: assembly.id,
    name: assembly.name,
    version: assembly.version,
    culture: assembly.culture,
    publicKeyToken: assembly.publicKeyToken,
    mappingFileId: assembly.mappingFileId,
    debugSymbolsKey: assembly.debugSymbolsKey,
  };
}
