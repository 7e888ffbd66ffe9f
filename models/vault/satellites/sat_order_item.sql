{{ config(
    materialized='incremental',
    incremental_strategy='append',
    indexes=[
        {'columns': ['order_item_hash_key', 'load_date'], 'unique': true},
        {'columns': ['order_hash_key']},
    ],
) }}

with

order_items as (

    select * from {{ ref('stg_orders_export__order_items') }}
    {% if is_incremental() %}
        where processed_at > {{ vault_watermark() }}
    {% endif %}

),

orders as (

    select * from {{ ref('stg_orders_export__orders') }}

),

current_lines as (

    select
        -- keys
        {{ vault_hash_key(['order_items.order_id', 'order_items.line_number', 'order_items.sku']) }}
            as order_item_hash_key,
        {{ vault_load_date() }} as load_date,
        {{ vault_hash_key(['order_items.order_id']) }} as order_hash_key,
        {{ generate_surrogate_key([
            'order_items.quantity', vault_hashable_number('order_items.unit_price'), 'false',
        ]) }} as hash_diff,

        -- attributes
        order_items.quantity,
        order_items.unit_price,
        false as is_deleted,

        -- business time and audit
        {{ vault_hashable_timestamp('orders.submitted_at') }} as effective_from,
        orders.source_file_name as record_source

    from order_items
    inner join orders
        on order_items.order_id = orders.order_id

),

{% if is_incremental() %}

    latest_rows as (

        select * from (
            select
                *,
                row_number() over (partition by order_item_hash_key order by load_date desc) as recency
            from {{ this }}
            where order_hash_key in (select current_lines.order_hash_key from current_lines)
        ) as ranked
        where recency = 1

    ),

    touched_orders as (

        select
            order_hash_key,
            max(effective_from) as effective_from,
            max(record_source) as record_source
        from current_lines
        group by order_hash_key

    ),

    removed_lines as (

        select
            -- keys
            latest_rows.order_item_hash_key,
            {{ vault_load_date() }} as load_date,
            latest_rows.order_hash_key,
            {{ generate_surrogate_key(['null', 'null', 'true']) }} as hash_diff,

            -- attributes
            cast(null as integer) as quantity,
            cast(null as {{ exact_numeric_type() }}) as unit_price,
            true as is_deleted,

            -- business time and audit
            touched_orders.effective_from,
            touched_orders.record_source

        from latest_rows
        inner join touched_orders
            on latest_rows.order_hash_key = touched_orders.order_hash_key
        where
            not latest_rows.is_deleted
            and not exists (
                select 1 from current_lines
                where current_lines.order_item_hash_key = latest_rows.order_item_hash_key
            )

    ),

{% endif %}

staged as (

    select * from current_lines
    {% if is_incremental() %}
        union all
        select * from removed_lines
    {% endif %}

),

final as (

    {{ vault_satellite_changes('staged', 'order_item_hash_key') }}

)

select * from final
