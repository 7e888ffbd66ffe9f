-- depends_on: {{ ref('dim_customers') }}
-- depends_on: {{ ref('dim_items') }}
-- depends_on: {{ ref('dim_stores') }}
-- depends_on: {{ ref('dim_date') }}
{{ config(
    materialized='incremental',
    unique_key='order_id',
    incremental_strategy=target_incremental_strategy('delete+insert'),
    on_schema_change='fail',
    post_hook=[
        "{{ ensure_foreign_key('customer_key', ref('dim_customers'), 'customer_key') }}",
        "{{ ensure_foreign_key('item_key', ref('dim_items'), 'item_key') }}",
        "{{ ensure_foreign_key('store_key', ref('dim_stores'), 'store_key') }}",
        "{{ ensure_foreign_key('order_date', ref('dim_date'), 'date_day') }}",
        "{{ ensure_foreign_key('store_version_key', ref('dim_store_versions'), 'store_version_key') }}",
        "{{ ensure_foreign_key('customer_version_key', ref('dim_customer_versions'), 'customer_version_key') }}",
    ],
    indexes=[
        {'columns': ['order_id']},
        {'columns': ['order_date']},
        {'columns': ['customer_key']},
        {'columns': ['item_key']},
        {'columns': ['store_key']},
        {'columns': ['processed_at']},
    ],
) }}

with

store_versions as (

    select * from {{ ref('dim_store_versions') }}

),

customer_versions as (

    select * from {{ ref('dim_customer_versions') }}

),

{% if is_incremental() %}
    rekeyed_orders as (

        -- lines whose version no longer holds; the tables, not the CTEs above, so that their indexes serve
        select distinct fact.order_id from {{ this }} as fact
        left join {{ ref('dim_store_versions') }} as held_store_versions
            on
                fact.store_version_key = held_store_versions.store_version_key
                and {{ version_holds_at('held_store_versions', 'fact.submitted_at') }}
        left join {{ ref('dim_customer_versions') }} as held_customer_versions
            on
                fact.customer_version_key = held_customer_versions.customer_version_key
                and {{ version_holds_at('held_customer_versions', 'fact.submitted_at') }}
        where
            held_store_versions.store_version_key is null
            or held_customer_versions.customer_version_key is null

    ),
{% endif %}

order_items as (

    select * from {{ ref('int_order_items_priced') }}
    {% if is_incremental() %}
        -- two branches, not an OR of a subquery (which PostgreSQL evaluates row by row)
        where processed_at > {{ processed_at_watermark() }}
        union all
        select rekeyed_items.* from {{ ref('int_order_items_priced') }} as rekeyed_items
        inner join rekeyed_orders
            on rekeyed_items.order_id = rekeyed_orders.order_id
        where rekeyed_items.processed_at <= {{ processed_at_watermark() }}
    {% endif %}

),

versioned_items as (

    -- a guest line's customer version is the guest member's (the key of a NULL customer and version)
    select
        order_items.*,
        store_versions.store_version_key,
        case
            when order_items.customer_id is null then {{ generate_surrogate_key(['null', 'null']) }}
            else customer_versions.customer_version_key
        end as customer_version_key
    from order_items
    left join store_versions
        on
            order_items.store_id = store_versions.store_id
            and {{ version_holds_at('store_versions', 'order_items.submitted_at') }}
    left join customer_versions
        on
            order_items.customer_id = customer_versions.customer_id
            and {{ version_holds_at('customer_versions', 'order_items.submitted_at') }}

),

final as (

    select
        -- keys
        {{ generate_surrogate_key(['order_id', 'line_number']) }} as order_item_key,
        {{ generate_surrogate_key(['customer_id']) }} as customer_key,
        {{ generate_surrogate_key(['sku']) }} as item_key,
        {{ generate_surrogate_key(['store_id']) }} as store_key,
        store_version_key,
        customer_version_key,

        -- degenerate dimensions
        order_id,
        line_number,
        order_status,

        -- measures
        quantity,
        net_unit_price,
        net_amount,
        tax_amount,
        gross_amount,
        tax_rate,
        fulfillment_seconds,

        -- flags
        is_revenue,

        -- dates and timestamps
        order_date,
        submitted_at,

        -- audit
        {{ processed_at() }} as processed_at

    from versioned_items

)

select * from final
