{# Never narrowed: the row it exists to find is one no build parsed (see its description). #}

{{ config(group='data_platform') }}

with

raw_rows as (

    select count(*) as row_count from {{ source('orders_export', 'orders_export') }}

),

triaged as (

    select
        count(*) as row_count,
        count(distinct raw_row_id) as distinct_row_count,
        sum(case when submission_outcome = 'winning' then 1 else 0 end) as winning_count,
        sum(case when submission_outcome = 'superseded' then 1 else 0 end) as superseded_count,
        sum(case when submission_outcome = 'quarantined' then 1 else 0 end) as quarantined_count
    from {{ ref('base_orders_export__submissions_triaged') }}

),

orders as (

    select count(*) as row_count from {{ ref('stg_orders_export__orders') }}

),

quarantined as (

    select count(*) as row_count from {{ ref('stg_orders_export__quarantined_submissions') }}

),

checks as (

    select
        'every raw row is triaged once' as check_name,
        raw_rows.row_count as expected,
        triaged.row_count as actual
    from raw_rows cross join triaged

    union all

    select
        'no raw row is triaged twice' as check_name,
        triaged.row_count as expected,
        triaged.distinct_row_count as actual
    from triaged

    union all

    select
        'winning + superseded + quarantined = raw rows' as check_name,
        raw_rows.row_count as expected,
        triaged.winning_count + triaged.superseded_count + triaged.quarantined_count as actual
    from raw_rows cross join triaged

    union all

    select
        'one order per winning submission' as check_name,
        triaged.winning_count as expected,
        orders.row_count as actual
    from triaged cross join orders

    union all

    select
        'quarantine model holds every quarantined row' as check_name,
        triaged.quarantined_count as expected,
        quarantined.row_count as actual
    from triaged cross join quarantined

)

select * from checks
where expected != actual
