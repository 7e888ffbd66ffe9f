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
