{{ config(
    materialized='incremental',
    incremental_strategy='append',
    indexes=[
        {'columns': ['order_hash_key', 'load_date'], 'unique': true},
    ],
) }}

with

orders as (

    select * from {{ ref('stg_orders_export__orders') }}
    {% if is_incremental() %}
        where processed_at > {{ vault_watermark() }}
    {% endif %}

),

staged as (

    select
        -- keys
        {{ vault_hash_key(['order_id']) }} as order_hash_key,
        {{ vault_load_date() }} as load_date,
        {{ generate_surrogate_key([
            'submission_id', 'order_status', 'currency_code', vault_hashable_number('tax_rate'),
            vault_hashable_number('fulfillment_seconds'), 'prices_include_tax', 'is_guest_order', 'order_date',
            vault_hashable_timestamp('submitted_at'),
        ]) }} as hash_diff,

        -- attributes
        submission_id,
        order_status,
        currency_code,
        tax_rate,
        fulfillment_seconds,
        prices_include_tax,
        is_guest_order,
        order_date,
        submitted_at,

        -- business time and audit
        {{ vault_hashable_timestamp('submitted_at') }} as effective_from,
        source_file_name as record_source

    from orders

),

final as (

    {{ vault_satellite_changes('staged', 'order_hash_key') }}

)

select * from final
