import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ApiListResponseDto, ApiResponseDto, TotalCount } from '../../common/envelope';
import {
  Nested,
  OptionalDate,
  OptionalInt,
  OptionalDecimal,
  OptionalString,
  OptionalReference,
  Embedded,
  EmbeddedArray,
} from '../../common/dto';
import type { ProductOrderDto } from '../orders/orders.dto';
import { ResourceDto } from '../resources/resources.dto';

@ApiSchema({ name: 'Management.Product' })
export class ProductDto {
  @OptionalInt({ description: 'Id; required by update, ignored by insert' }) id?: number;
  @OptionalString(64, 'Unique (without regard to case) when set') code?: string | null;
  @OptionalString(256, 'Required on insert') name?: string;
  @OptionalString(65536) description?: string | null;
  @OptionalString(1024) url?: string | null;
  @OptionalString(512) copyright?: string | null;
  @OptionalDate('Set by the server') createdAt?: string | null;
  @OptionalString(1_000_000) image?: string | null;
  @OptionalDecimal({
    precision: 18,
    scale: 4,
    min: 0,
    description: 'List price; the default unit price of new order lines',
  })
  price?: number | null;
  @OptionalDecimal({ precision: 18, scale: 4, min: 0 }) resellerPrice?: number | null;
  @OptionalString(8) currency?: string | null;
  @OptionalReference("Id of a resource of type RSA, ECDSA or Ed25519 that signs this product's licenses")
  signatureKeysId?: number | null;
  @OptionalString(65536) meta?: string | null;
  @Embedded(
    () => ResourceDto,
    'The signature key resource (public data only) when include names SignatureKeys; ignored on input',
  )
  signatureKeys?: ResourceDto | null;
  @EmbeddedArray(
    'Management.ProductOrder',
    'The order lines of this product, each with its order, when include names ProductOrders; ignored on input',
  )
  productOrders?: ProductOrderDto[] | null;
}

@ApiSchema({ name: 'Management.ProductRelease' })
export class ReleaseDto {
  @OptionalInt({ description: 'Id; required by update, ignored by insert' }) id?: number;
  @OptionalDate() releaseDate?: string | null;
  @OptionalString(256) name?: string | null;
  @OptionalString(64) version?: string | null;
  @OptionalString(65536) description?: string | null;
}

@ApiSchema({ name: 'Management.Assembly' })
export class AssemblyDto {
  @OptionalInt({
    min: 0,
    description:
      'Id; required by update. On insert under a release, the id of an existing assembly attaches it; 0 or none creates one',
  })
  id?: number;
  @OptionalString(256, 'Required when creating an assembly') name?: string;
  @OptionalString(64) version?: string | null;
  @OptionalString(64) culture?: string | null;
  @OptionalString(64) publicKeyToken?: string | null;
  @OptionalReference('Id of the resource holding the obfuscation mapping file')
  mappingFileId?: number | null;
  @OptionalString(256) debugSymbolsKey?: string | null;
}

@ApiSchema({ name: 'Management.InsertProductRequest' })
export class InsertProductRequest {
  @Nested(() => ProductDto, { required: true }) product: ProductDto;
}

@ApiSchema({ name: 'Management.UpdateProductRequest' })
export class UpdateProductRequest {
  @Nested(() => ProductDto, { required: true }) product: ProductDto;
}

@ApiSchema({ name: 'Management.GetProductsResponse' })
export class GetProductsResponse extends ApiListResponseDto {
  @ApiProperty({ type: [ProductDto] }) products: ProductDto[];
  @TotalCount() totalProductsCount: number | null;
}

@ApiSchema({ name: 'Management.InsertProductResponse' })
export class InsertProductResponse extends ApiResponseDto {
  @ApiProperty() productId: number;
}

@ApiSchema({ name: 'Management.UpdateProductResponse' })
export class UpdateProductResponse extends ApiResponseDto {}

@ApiSchema({ name: 'Management.DeleteProductResponse' })
export class DeleteProductResponse extends ApiResponseDto {}

@ApiSchema({ name: 'Management.InsertProductReleaseRequest' })
export class InsertProductReleaseRequest {
  @Nested(() => ReleaseDto, { required: true }) release: ReleaseDto;
}

@ApiSchema({ name: 'Management.UpdateProductReleaseRequest' })
export class UpdateProductReleaseRequest {
  @Nested(() => ReleaseDto, { required: true }) release: ReleaseDto;
}

@ApiSchema({ name: 'Management.GetProductReleasesResponse' })
export class GetProductReleasesResponse extends ApiListResponseDto {
  @ApiProperty({ type: [ReleaseDto] }) releases: ReleaseDto[];
  @TotalCount() totalReleasesCount: number | null;
}

@ApiSchema({ name: 'Management.InsertProductReleaseResponse' })
export class InsertProductReleaseResponse extends ApiResponseDto {
  @ApiProperty() releaseId: number;
}

@ApiSchema({ name: 'Management.UpdateProductReleaseResponse' })
export class UpdateProductReleaseResponse extends ApiResponseDto {
  @ApiProperty() releaseId: number;
}

@ApiSchema({ name: 'Management.DeleteProductReleaseResponse' })
export class DeleteProductReleaseResponse extends ApiResponseDto {}

@ApiSchema({ name: 'Management.InsertProductReleaseAssemblyRequest' })
export class InsertProductReleaseAssemblyRequest {
  @OptionalInt({ min: 0, description: 'Taken from the path; when given it must match' }) productId?: number | null;
  @OptionalInt({ min: 0, description: 'Taken from the path; when given it must match' }) releaseId?: number | null;
  @Nested(() => AssemblyDto, { required: true }) assembly: AssemblyDto;
}

@ApiSchema({ name: 'Management.UpdateProductReleaseAssemblyRequest' })
export class UpdateProductReleaseAssemblyRequest {
  @Nested(() => AssemblyDto, { required: true }) assembly: AssemblyDto;
}

@ApiSchema({ name: 'Management.GetProductReleaseAssembliesResponse' })
export class GetProductReleaseAssembliesResponse extends ApiListResponseDto {
  @ApiProperty({ type: [AssemblyDto] }) assemblies: AssemblyDto[];
  @TotalCount() totalAssembliesCount: number | null;
}

@ApiSchema({ name: 'Management.InsertProductReleaseAssemblyResponse' })
export class InsertProductReleaseAssemblyResponse extends ApiResponseDto {
  @ApiProperty() assemblyId: number;
}

@ApiSchema({ name: 'Management.UpdateProductReleaseAssemblyResponse' })
export class UpdateProductReleaseAssemblyResponse extends ApiResponseDto {
  @ApiProperty() assemblyId: number;
}

@ApiSchema({ name: 'Management.DeleteProductReleaseAssemblyResponse' })
export class DeleteProductReleaseAssemblyResponse extends ApiResponseDto {}

@ApiSchema({ name: 'Management.InsertAssemblyRequest' })
export class InsertAssemblyRequest {
  @Nested(() => AssemblyDto, { required: true }) assembly: AssemblyDto;
}

@ApiSchema({ name: 'Management.UpdateAssemblyRequest' })
export class UpdateAssemblyRequest {
  @Nested(() => AssemblyDto, { required: true }) assembly: AssemblyDto;
}

@ApiSchema({ name: 'Management.GetAssembliesResponse' })
export class GetAssembliesResponse extends ApiListResponseDto {
  @ApiProperty({ type: [AssemblyDto] }) assemblies: AssemblyDto[];
  @TotalCount() totalAssembliesCount: number | null;
}

@ApiSchema({ name: 'Management.InsertAssemblyResponse' })
export class InsertAssemblyResponse extends ApiResponseDto {
  @ApiProperty() assemblyId: number;
}

@ApiSchema({ name: 'Management.UpdateAssemblyResponse' })
export class UpdateAssemblyResponse extends ApiResponseDto {}

@ApiSchema({ name: 'Management.DeleteAssemblyResponse' })
export class DeleteAssemblyResponse extends ApiResponseDto {}
