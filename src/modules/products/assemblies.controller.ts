import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../../common/auth';
import { IntIdPipe } from '../../common/http';
import { ApiQueryOptions, QueryOptions, QueryOptionsPipe } from '../../common/query';
import { AssembliesService } from './assemblies.service';
import {
  DeleteAssemblyResponse,
  GetAssembliesResponse,
  InsertAssemblyRequest,
  InsertAssemblyResponse,
  UpdateAssemblyRequest,
  UpdateAssemblyResponse,
} from './products.dto';
import { EMPTY_PAYLOAD, Payload } from '../../common/envelope';
import { Idempotent } from '../../common/idempotency';

@ApiTags('Assemblies')
@Access('licensing')
@Controller('v1/assemblies')
export class AssembliesController {
  constructor(private readonly assemblies: AssembliesService) {}

  @Get()
  @ApiOperation({
    operationId: 'getAssemblies',
    summary: 'Retrieves the assemblies based on the provided request parameters.',
  })
  @ApiQueryOptions('select', 'filter', 'sort', 'take', 'skip')
  @ApiOkResponse({ type: GetAssembliesResponse })
  list(@Query(QueryOptionsPipe) options: QueryOptions): Promise<Payload<GetAssembliesResponse>> {
    return this.assemblies.list(options);
  }

  @Post()
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({ operationId: 'insertAssembly', summary: 'Inserts a new assembly.' })
  @ApiOkResponse({ type: InsertAssemblyResponse })
  insert(@Body() request: InsertAssemblyRequest): Promise<Payload<InsertAssemblyResponse>> {
    return this.assemblies.insert(request.assembly);
  }

  @Put()
  @ApiOperation({ operationId: 'updateAssembly', summary: 'Updates an existing assembly.' })
  @ApiOkResponse({ type: UpdateAssemblyResponse })
  async update(@Body() request: UpdateAssemblyRequest): Promise<Payload<UpdateAssemblyResponse>> {
    await this.assemblies.update(request.assembly);
    return EMPTY_PAYLOAD;
  }

  @Delete(':assemblyId')
  @ApiOperation({ operationId: 'deleteAssembly', summary: 'Deletes an assembly and its links to releases.' })
  @ApiOkResponse({ type: DeleteAssemblyResponse })
  async delete(@Param('assemblyId', IntIdPipe) assemblyId: number): Promise<Payload<DeleteAssemblyResponse>> {
    await this.assemblies.delete(assemblyId);
    return EMPTY_PAYLOAD;
  }
}
