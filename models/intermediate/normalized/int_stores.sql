{#
    Third normal form: one row per store, in the latest state the orders show: the attributes of the
    store's most recent winning submission (latest submitted_at, ties to the larger order_id) win as a
    whole. A store renamed or moved shows its new name and address here; its history is snapshotted
    (snapshots/), from attributes_since: when the store's current state began (the submission time of
    the first order of the latest run of orders showing exactly these attributes). The state is computed
    once, in staging (stg_orders_export__stores), for this model and the vault.
    Incremental: a run rewrites the stores whose state staging recomputed since its last run.
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

stores as (

    select * from {{ ref('stg_orders_export__stores') }}
    {% if is_incremental() %}
        where processed_at > {{ processed_at_watermark() }}
    {% endif %}

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

    from stores

)

select * from final
