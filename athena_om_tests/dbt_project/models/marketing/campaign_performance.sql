{{ config(tags=['marketing']) }}
select
    c.campaign_id,
    c.channel,
    count(k.click_id) as clicks,
    sum(k.cost) as spend,
    cast(0 as bigint) as attributed_orders
from {{ source('demo_marketing', 'campaigns') }} as c
left join {{ source('demo_marketing', 'ad_clicks') }} as k on k.campaign_id = c.campaign_id
group by c.campaign_id, c.channel
