import { Module } from '@nestjs/common';
import { LicensesModule } from '../licenses/licenses.module';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

@Module({ imports: [LicensesModule], controllers: [MetricsController], providers: [MetricsService] })
export class MetricsModule {}
