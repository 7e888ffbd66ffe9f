{#
    Every raw export row with its outcome, one row per row loaded:
      - quarantined: the row breaks the contract (quarantine_reason says how: the row's own first
        violation, else its first bad line's);
      - winning:     the latest interpretable submission of its order (latest submitted_at, ties to the
        larger submission_id);
      - superseded:  an interpretable submission that a later one of the same order replaced.
    Quarantine comes first, de-duplication second.

    Incremental: a run judges again every submission of the orders that the newly processed rows touch
    (a new submission can supersede an earlier one), and only those.
#}

{{ config(
    materialized='incremental',
    unique_key='raw_row_id',
    incremental_strategy=target_incremental_strategy('delete+insert'),
    indexes=[
        {'columns': ['raw_row_id'], 'unique': true},
        {'columns': ['order_id']},
        {'columns': ['customer_id']},
        {'columns': ['store_id']},
        {'columns': ['processed_at']},
    ],
) }}

with

all_submissions as (

    select * from {{ ref('base_orders_export__submissions') }}

),

all_submission_lines as (

    select * from {{ ref('base_orders_export__submission_lines') }}

),

{% if is_incremental() %}
    changed_orders as (

        -- the orders of the rows processed since the last run
        select distinct changed.order_id
        from all_submissions as changed
        where changed.processed_at > {{ processed_at_watermark() }}

    ),
{% endif %}

submissions as (

    select * from all_submissions
    {% if is_incremental() %}
        -- the rows processed since the last run, and every other submission of their orders: two branches
        -- and a join, not an OR of a subquery (which PostgreSQL evaluates row by row over a big table)
        where processed_at > {{ processed_at_watermark() }}
        union all
        select all_submissions.* from all_submissions
        inner join changed_orders
            on all_submissions.order_id = changed_orders.order_id
        where all_submissions.processed_at <= {{ processed_at_watermark() }}
    {% endif %}

),

submission_lines as (

    select * from all_submission_lines
    {% if is_incremental() %}
        where raw_row_id in (select submissions.raw_row_id from submissions)
    {% endif %}

),

first_line_problems as (

    select
        raw_row_id,
        line_quarantine_reason
    from (
        select
            raw_row_id,
            line_quarantine_reason,
            row_number() over (partition by raw_row_id order by line_number) as problem_rank
        from submission_lines
        where line_quarantine_reason is not null
    ) as line_problems
    where problem_rank = 1

),

judged as (

    select
        submissions.*,
        coalesce(
            submissions.row_quarantine_reason, first_line_problems.line_quarantine_reason
        ) as quarantine_reason
    from submissions
    left join first_line_problems
        on submissions.raw_row_id = first_line_problems.raw_row_id

),

ranked as (

    select
        *,
        case
            when quarantine_reason is null
                then row_number() over (
                    partition by order_id, quarantine_reason is null
                    -- submission ids compare numerically when they are digits: longer is larger
                    order by submitted_at desc, {{ dbt.length('submission_id') }} desc, submission_id desc
                )
        end as submission_recency
    from judged

),

final as (

    select
        -- ids
        raw_row_id,
        submission_id,
        order_id,
        customer_id,
        store_id,

        -- customer
        customer_first_name,
        customer_last_name,
        customer_email,
        customer_city,
        customer_postal_code,
        customer_country_spelling,

        -- store
        store_name,
        store_city,
        store_postal_code,
        store_country_spelling,
        store_timezone,
        store_timezone_as_exported,

        -- order
        order_status,
        order_status_spelling,
        currency_code,
        submitted_at_text,
        unparsed_order_items,
        order_items_json,
        tax_rate,
        fulfillment_seconds,
        prices_include_tax,
        order_date,
        submitted_at,

        -- outcome
        quarantine_reason,
        case
            when quarantine_reason is not null then 'quarantined'
            when submission_recency = 1 then 'winning'
            else 'superseded'
        end as submission_outcome,

        -- lineage
        source_file_name,
        loaded_at,
        {{ processed_at() }} as processed_at

    from ranked

)

select * from final
