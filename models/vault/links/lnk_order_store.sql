{#
    Link between an order and its store: one row per (order, store) pair ever seen, insert-only. The link's hash key
    is the MD5 of both hubs' staged business keys (order_id, then store_id); it carries both hubs' hash keys.
    load_date is when the vault first saw the pair, record_source the export file of the row that brought it.
    Every order was taken by a store.
    Incremental: a run reads the staging rows processed since its last insert and adds the pairs it has not seen.
#}

{{ config(
    materialized='incremental',
    incremental_strategy='append',
    indexes=[
        {'columns': ['order_store_hash_key'], 'unique': true},
    ],
) }}

with

orders as (

    select * from {{ ref('stg_orders_export__orders') }}
    {% if is_incremental() %}
        where processed_at > {{ vault_watermark() }}
    {% endif %}

),

keyed as (

    select
        -- keys
        {{ vault_hash_key(['order_id', 'store_id']) }} as order_store_hash_key,
        {{ vault_hash_key(['order_id']) }} as order_hash_key,
        {{ vault_hash_key(['store_id']) }} as store_hash_key,

        -- audit
        {{ vault_load_date() }} as load_date,
        source_file_name as record_source

    from orders
    where store_id is not null

),

final as (

    select * from keyed
    {% if is_incremental() %}
        where not exists (
            select 1 from {{ this }} as known
            where known.order_store_hash_key = keyed.order_store_hash_key
        )
    {% endif %}

)

select * from final
