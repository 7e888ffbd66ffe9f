{{ config(
    materialized='incremental',
    unique_key='customer_id',
    incremental_strategy=target_incremental_strategy('delete+insert'),
    indexes=[
        {'columns': ['customer_id'], 'unique': true},
        {'columns': ['processed_at']},
    ],
) }}

with

customer_orders as (

    -- the view read twice, not through one CTE, which would be computed whole to be read twice
    select * from {{ ref('stg_orders_export__orders') }}
    where
        customer_id is not null
        {% if is_incremental() %}
            and customer_id in (
                select changed.customer_id from {{ ref('stg_orders_export__orders') }} as changed
                where changed.processed_at > {{ processed_at_watermark() }}
            )
        {% endif %}

),

latest_versions as (

    {{ latest_attribute_versions(
        'customer_orders',
        'customer_id',
        [
            'customer_first_name', 'customer_last_name', 'customer_email', 'customer_city',
            'customer_postal_code', 'customer_country_code',
        ],
    ) }}

),

final as (

    select
        -- ids
        customer_id,

        -- attributes
        customer_first_name as first_name,
        customer_last_name as last_name,
        customer_email as email,
        customer_city as city,
        customer_postal_code as postal_code,
        customer_country_code as country_code,

        -- history and lineage
        attributes_since,
        {{ processed_at() }} as processed_at

    from latest_versions
    where recency = 1

)

select * from final
