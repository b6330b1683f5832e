{{ config(materialized='view', tags=['finance', 'daily']) }}
select o.dt, o.region, count(*) as order_count, sum(o.total_amount) as revenue
from {{ source('demo_sales', 'orders') }} as o
where o.status <> 'cancelled'
group by o.dt, o.region
