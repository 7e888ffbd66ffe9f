{#
    The order lines of every submission that passed the row-level checks, unnested from the JSON array
    parsed once in base_orders_export__submissions: one row per (submission, line_number). Line values
    are typed; a line that breaks the contract carries its reason in line_quarantine_reason.
    Incremental: a run unnests only the submissions (re)processed since its last run.
#}

{{ config(
    materialized='incremental',
    unique_key='raw_row_id',
    incremental_strategy=target_incremental_strategy('delete+insert'),
    indexes=[
        {'columns': ['raw_row_id']},
        {'columns': ['order_id']},
        {'columns': ['sku']},
        {'columns': ['processed_at']},
    ],
) }}

with

submissions as (

    select * from {{ ref('base_orders_export__submissions') }}
    {% if is_incremental() %}
        where processed_at > {{ processed_at_watermark() }}
    {% endif %}

),

unnested as (

    select
        submissions.raw_row_id,
        submissions.submission_id,
        submissions.order_id,
        cast(order_lines.position as integer) as line_number,
        order_lines.element as line_json
    from submissions
    {{ unnest_json_array('submissions', 'order_items_json', 'order_lines') }}
    where submissions.row_quarantine_reason is null

),

extracted as (

    select
        raw_row_id,
        submission_id,
        order_id,
        line_number,
        {{ json_type('line_json') }} = 'object' as is_line_object,
        -- a line's values are JSON strings or numbers (or null), never objects or arrays
        {% for member in ['sku', 'name', 'brand', 'category', 'unit_price', 'quantity'] -%}
            coalesce({{ json_type(json_member('line_json', member)) }} in ('object', 'array'), false)
            {%- if not loop.last %} or {% endif %}
        {% endfor -%} as has_nested_value,
        {{ has_oversized_id([json_member_text('line_json', 'sku')]) }} as has_oversized_sku,
        {{ clean_id(json_member_text('line_json', 'sku')) }} as sku,
        {{ squish_text(json_member_text('line_json', 'name')) }} as item_name,
        {{ squish_text(json_member_text('line_json', 'brand')) }} as item_brand,
        {{ squish_text(json_member_text('line_json', 'category')) }} as item_category,
        {{ clean_text(json_member_text('line_json', 'unit_price')) }} as unit_price_text,
        {{ clean_text(json_member_text('line_json', 'quantity')) }} as quantity_text
    from unnested

),

typed as (

    select
        *,
        {{ try_cast('unit_price_text', 'numeric') }} as unit_price,
        {{ try_cast('quantity_text', 'numeric') }} as quantity_value
    from extracted

),

final as (

    select
        -- ids
        raw_row_id,
        submission_id,
        order_id,
        line_number,
        sku,

        -- item attributes as written on this line
        item_name,
        item_brand,
        item_category,

        -- numbers
        unit_price,
        cast(case
            when quantity_value = floor(quantity_value) and quantity_value between 1 and {{ max_line_quantity() }}
                then quantity_value
        end as integer) as quantity,

        -- the first contract violation of the line
        case
            when not is_line_object or has_nested_value then 'malformed_order_items_json'
            when has_oversized_sku then 'oversized_value'
            when sku is null then 'line_without_sku'
            when quantity_value is null or quantity_value != floor(quantity_value) then 'non_integer_quantity'
            when quantity_value <= 0 then 'non_positive_quantity'
            when quantity_value > {{ max_line_quantity() }} then 'quantity_out_of_range'
            when unit_price is null then 'non_numeric_unit_price'
            when unit_price < 0 then 'negative_unit_price'
        end as line_quarantine_reason,

        {{ processed_at() }} as processed_at

    from typed

)

select * from final
