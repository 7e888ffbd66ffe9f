{#
    Foreign keys added after a table is filled. A contract's foreign_key constraint is created with the table,
    so PostgreSQL checks every inserted row with a trigger (a lookup per row and key: minutes for a fact of
    millions of lines). Added afterwards, the constraint is validated by one join over the table, and from then
    on guards every insert and update exactly as the contract's would.
#}
{%- macro ensure_foreign_key(column, to, to_column) -%}
    {{ return(adapter.dispatch('ensure_foreign_key', 'orders_warehouse')(column, to, to_column)) }}
{%- endmacro -%}

{%- macro postgres__ensure_foreign_key(column, to, to_column) -%}
    {%- set constraint_name = this.identifier ~ '_' ~ column ~ '_fkey' -%}
    do $ensure_foreign_key$
    begin
        if not exists (
            select 1 from pg_catalog.pg_constraint
            where conrelid = '{{ this }}'::regclass and conname = '{{ constraint_name }}'
        ) then
            alter table {{ this }}
                add constraint {{ constraint_name }} foreign key ({{ column }}) references {{ to }} ({{ to_column }});
        end if;
    end
    $ensure_foreign_key$
{%- endmacro -%}

{#-
    DuckDB cannot add a foreign key to an existing table (nor keep one across the drop and rebuild of the
    dimension it references): nothing is added; the relationships data tests check the same keys on every build.
#}
{%- macro duckdb__ensure_foreign_key(column, to, to_column) -%}
{%- endmacro -%}

{#-
    Spark's parquet tables have no constraints (informational keys need Delta, which is not used): nothing is
    added; the relationships data tests check the same keys on every build.
#}
{%- macro spark__ensure_foreign_key(column, to, to_column) -%}
{%- endmacro -%}
