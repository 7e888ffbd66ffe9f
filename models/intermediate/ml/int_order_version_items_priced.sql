{#
    One row per order line of every version of every order (every interpretable submission, winning or
    superseded), priced with the contract's money rules (macros/utils/money.sql), with the as-of dates
    between which the version was the order's latest known one.

    A version is known on the as-of dates after its order date (the store-local date it was submitted), and
    stays the latest known version until a later version of the same order (in the triage's order) is known:
    it is visible on every as-of date in [known_from_date, superseded_from_date). When a later version has
    an order date on or before this one's (a double submit the same day), the range is empty.
    Incremental: a run rewrites every version of the orders whose submissions were judged again since its
    last run (delete by order_id, then insert), as int_orders does. loaded_at tells the versions a load brought
    from those it only judged again (a warehouse built before the column existed gains it, NULL until the
    order's next rewrite).
#}

{{ config(
    materialized='incremental',
    unique_key='order_id',
    incremental_strategy=target_incremental_strategy('delete+insert'),
    on_schema_change='append_new_columns',
    indexes=[
        {'columns': ['submission_id', 'line_number'], 'unique': true},
        {'columns': ['order_id']},
        {'columns': ['customer_id']},
        {'columns': ['processed_at']},
    ],
) }}

with

order_submissions as (

    select * from {{ ref('stg_orders_export__order_submissions') }}

),

{% if is_incremental() %}
    changed_orders as (

        -- the orders judged again since this model's last run, found through their lines: every
        -- interpretable submission has one, and the lines' view, unlike the submissions' (a window per
        -- order), lets PostgreSQL use the index on the triage's processed_at
        select distinct order_id from {{ ref('stg_orders_export__order_submission_items') }}
        where processed_at > {{ processed_at_watermark() }}

    ),
{% endif %}

order_versions as (

    select
        *,
        min(order_date) over (
            partition by order_id
            order by order_submission_number asc
            rows between 1 following and unbounded following
        ) as next_versions_first_order_date
    from order_submissions
    {% if is_incremental() %}
        where order_id in (select changed_orders.order_id from changed_orders)
    {% endif %}

),

final as (

    select
        -- ids
        order_submission_items.submission_id,
        order_submission_items.line_number,
        order_submission_items.order_id,
        order_submission_items.sku,
        order_versions.customer_id,

        -- attributes as submitted
        order_versions.customer_country_code,
        order_submission_items.item_category,
        order_versions.order_status,

        -- numbers
        order_versions.order_submission_number,
        order_submission_items.quantity,
        order_submission_items.unit_price,
        order_versions.tax_rate,
        {{ line_net_amount(
            'order_submission_items.quantity',
            'order_submission_items.unit_price',
            'order_versions.tax_rate',
            'order_versions.prices_include_tax'
        ) }} as net_amount,

        -- booleans
        order_versions.prices_include_tax,
        {{ is_revenue_order_status('order_versions.order_status') }} as is_revenue,

        -- dates and timestamps
        order_versions.order_date,
        cast({{ dbt.dateadd('day', 1, 'order_versions.order_date') }} as date) as known_from_date,
        cast({{ dbt.dateadd('day', 1, 'order_versions.next_versions_first_order_date') }} as date)
            as superseded_from_date,
        order_versions.submitted_at,
        order_versions.loaded_at,
        {{ processed_at() }} as processed_at

    from {{ ref('stg_orders_export__order_submission_items') }} as order_submission_items
    inner join order_versions
        on order_submission_items.submission_id = order_versions.submission_id
    {% if is_incremental() %}
        where order_submission_items.order_id in (select changed_orders.order_id from changed_orders)
    {% endif %}

)

select * from final
