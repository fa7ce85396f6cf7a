import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CustomersModule } from '../customers/customers.module';
import { ProductOrderLines } from '../products/product-order-lines';
import { ProductEntity } from '../products/product.entity';
import { OrderLinesController } from './order-lines.controller';
import { OrderLinesService } from './order-lines.service';
import { OrderEntity } from './order.entity';
import { OrdersController } from './orders.controller';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';
import { ProductOrderEntity } from './product-order.entity';

/** Orders and their lines (product orders); the products themselves belong to the catalogue. */
@Module({
  imports: [TypeOrmModule.forFeature([OrderEntity, ProductOrderEntity, ProductEntity]), CustomersModule],
  controllers: [OrdersController, OrderLinesController],
  providers: [
    OrdersRepository,
    OrdersService,
    OrderLinesService,
    { provide: ProductOrderLines, useExisting: OrderLinesService },
  ],
  exports: [OrderLinesService, ProductOrderLines],
})
export class OrdersModule {}
