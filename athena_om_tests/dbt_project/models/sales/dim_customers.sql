{{ config(alias='customers', tags=['customer']) }}
select
    cast(c.id as bigint) as customer_id,
    lower(c.email) as email,
    c.name as full_name,
    cast(c.created as date) as signup_date
from {{ source('demo_raw', 'raw_customers_csv') }} as c
