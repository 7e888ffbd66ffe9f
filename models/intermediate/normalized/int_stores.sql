{#
    Third normal form: one row per store, in the latest state the orders show: the attributes of the
    store's most recent winning submission (latest submitted_at, ties to the larger order_id) win as a
    whole. A store renamed or moved shows its new name and address here; its history is snapshotted.
#}

with

orders as (

    select * from {{ ref('stg_orders_export__orders') }}

),

store_versions as (

    select
        *,
        row_number() over (
            partition by store_id
            order by submitted_at desc, order_id desc
        ) as recency
    from orders

),

final as (

    select
        -- ids
        store_id,

        -- attributes
        store_name,
        store_city as city,
        store_postal_code as postal_code,
        store_country_code as country_code,
        store_timezone as timezone

    from store_versions
    where recency = 1

)

select * from final
