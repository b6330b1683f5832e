-- Singular test: no day and region may show negative revenue.
select dt, region, revenue
from {{ ref('daily_revenue') }}
where revenue < 0
