{#
    The atomic-grain fact: one row per order line of every non-quarantined order (its winning
    submission). Cancelled orders stay, flagged by is_revenue = false. Amounts are exact numerics.
#}

with

order_items as (

    select * from {{ ref('int_order_items_priced') }}

),

final as (

    select
        -- keys
        {{ generate_surrogate_key(['order_id', 'line_number']) }} as order_item_key,
        {{ generate_surrogate_key(['customer_id']) }} as customer_key,
        {{ generate_surrogate_key(['sku']) }} as item_key,
        {{ generate_surrogate_key(['store_id']) }} as store_key,

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
        submitted_at

    from order_items

)

select * from final
