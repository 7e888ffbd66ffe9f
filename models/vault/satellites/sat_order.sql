{#
    Satellite of hub_order: what depends on the order itself (its winning submission, status, currency, tax
    rate, fulfillment time, whether prices include tax, order date and submission time), one row per version,
    insert-only. A run takes each touched order's winning submission from staging and inserts it only when its
    hash diff differs from the order's latest row: a status change or a correction adds a row, a re-delivered
    copy does not. effective_from is the winning submission's time (business time, UTC), load_date when the
    vault recorded the version.
    Incremental: a run reads the orders processed since its last insert.
#}

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
