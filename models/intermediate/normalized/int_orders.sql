{{ config(
    materialized='incremental',
    unique_key='order_id',
    incremental_strategy=target_incremental_strategy('delete+insert'),
    indexes=[
        {'columns': ['order_id'], 'unique': true},
        {'columns': ['customer_id', 'order_date']},
        {'columns': ['processed_at']},
    ],
) }}

with

orders as (

    select * from {{ ref('stg_orders_export__orders') }}
    {% if is_incremental() %}
        where processed_at > {{ processed_at_watermark() }}
    {% endif %}

),

final as (

    select
        -- ids
        order_id,
        submission_id,
        customer_id,
        store_id,

        -- attributes
        order_status,
        currency_code,
        tax_rate,
        fulfillment_seconds,
        prices_include_tax,
        is_guest_order,
        order_date,
        submitted_at,
        {{ processed_at() }} as processed_at

    from orders

)

select * from final
