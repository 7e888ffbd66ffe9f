{#
    The first and last day of a calendar that covers a date column, in whole calendar years:
    January 1 of the year of the earliest date minus margin_years, December 31 of the year of the latest
    date plus margin_years. Returns {'start_date': 'YYYY-MM-DD', 'end_date': 'YYYY-MM-DD'}, both inclusive.

    The bounds are read with one query when dbt executes (not at parse time), so that the date spine can be
    generated from literal dates. At parse time, and when the column holds no dates (or the relation does
    not exist yet), the calendar falls back to the current year, plus the margin.
#}
{%- macro get_date_spine_bounds(relation, date_column, margin_years=0) -%}
    {%- set margin_years = margin_years | int -%}
    {%- set current_year = modules.datetime.date.today().year -%}
    {%- set first_year = current_year -%}
    {%- set last_year = current_year -%}

    {%- if execute and load_relation(relation) is not none -%}
        {%- set bounds_query -%}
            select
                min(extract(year from {{ date_column }})) as first_year,
                max(extract(year from {{ date_column }})) as last_year
            from {{ relation }}
        {%- endset -%}
        {%- set bounds_row = run_query(bounds_query).rows[0] -%}
        {%- if bounds_row[0] is not none and bounds_row[1] is not none -%}
            {%- set first_year = bounds_row[0] | int -%}
            {%- set last_year = bounds_row[1] | int -%}
        {%- endif -%}
    {%- endif -%}

    {{ return({
        'start_date': '%04d-01-01' | format(first_year - margin_years),
        'end_date': '%04d-12-31' | format(last_year + margin_years),
    }) }}
{%- endmacro -%}
