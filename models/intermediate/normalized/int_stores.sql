{#
    Third normal form: one row per store, in the latest state the orders show: the attributes of the
    store's most recent winning submission (latest submitted_at, ties to the larger order_id) win as a
    whole. A store renamed or moved shows its new name and address here; its history is snapshotted
    (snapshots/), from attributes_since: when the store's current state began (the submission time of
    the first order of the latest run of orders showing exactly these attributes).
    Incremental: a run recomputes the stores whose orders were judged again since its last run.
#}

{{ config(
    materialized='incremental',
    unique_key='store_id',
    incremental_strategy=target_incremental_strategy('delete+insert'),
    indexes=[
        {'columns': ['store_id'], 'unique': true},
    ],
) }}

with

orders as (

    select * from {{ ref('stg_orders_export__orders') }}

),

store_orders as (

    select * from orders
    {% if is_incremental() %}
        where store_id in (
            select changed.store_id from orders as changed
            where changed.processed_at > {{ processed_at_watermark() }}
        )
    {% endif %}

),

latest_versions as (

    {{ latest_attribute_versions(
        'store_orders',
        'store_id',
        ['store_name', 'store_city', 'store_postal_code', 'store_country_code', 'store_timezone'],
    ) }}

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
        store_timezone as timezone,

        -- history and lineage
        attributes_since,
        {{ processed_at() }} as processed_at

    from latest_versions
    where recency = 1

)

select * from final
