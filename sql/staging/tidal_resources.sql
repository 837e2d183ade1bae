-- model: staging.tidal_resources
-- assert: not_null(answer, type, id)
-- Every JSON:API resource object of every TIDAL answer, one row per object and answer,
-- read once here for the TIDAL models after it (albums, tracks, videos, artists).
-- TIDAL answers as JSON:API: the asked objects in `data` (a list on the filter
-- endpoints and relationship pages, one object on a search), the related ones once in
-- `included`, referred to by `{id, type}` from `relationships.<name>.data`. Only
-- objects with `attributes` are kept: a relationship page's `data` holds bare
-- references (an artist's albums, an album's items), their objects are in `included`.
-- One object can come twice in one `included` (the US recording lists its artist
-- twice): once.
-- Where an item sits, from the answer: an album's `relationships.items.data` (the
-- first page of its items, with `meta.volumeNumber` and `meta.trackNumber`), or a page
-- of the album's items (`/albums/{album_id}/relationships/items`, the album from the
-- request), else the item's own `relationships.albums.data` (a track asked by ISRC
-- with `include=albums`; that shape is a guess, no recording of it was found).
-- Credits: the names of `relationships.artists.data`, in that order, joined ', ',
-- each name read from any answer's `included` (the newest), so an artist one answer
-- leaves out (the SE recording's 4854640) is named if another answer has it; an
-- artist no answer names is left out of the credit.
-- `duration` is ISO 8601 (`PT4M12S`, `PT2H16S`); `url` is the TIDAL_SHARING link,
-- else the public page TIDAL's links have (https://tidal.com/browse/<kind>/<id>).
with answered as materialized (
    select row_number() over () as answer, *
    from (
        select 'artist_search' as resource, body, params, fetched_at, raw_file from answers.tidal_artist_search
        union all
        select 'artist_albums', body, params, fetched_at, raw_file from answers.tidal_artist_albums
        union all
        select 'albums', body, params, fetched_at, raw_file from answers.tidal_albums
        union all
        select 'albums_by_barcode', body, params, fetched_at, raw_file from answers.tidal_albums_by_barcode
        union all
        select 'album_items', body, params, fetched_at, raw_file from answers.tidal_album_items
        union all
        select 'tracks_by_isrc', body, params, fetched_at, raw_file from answers.tidal_tracks_by_isrc
        union all
        select 'videos', body, params, fetched_at, raw_file from answers.tidal_videos
    )
),
listed as (
    select answer, resource, 'data' as role, unnest(
        case when json_type(body, '$.data') = 'OBJECT' then [json_extract(body, '$.data')]
        else json_extract(body, '$.data[*]') end
    ) as o, params, fetched_at, raw_file
    from answered
    union all
    select answer, resource, 'included', unnest(json_extract(body, '$.included[*]')), params, fetched_at, raw_file
    from answered
),
objects as materialized (
    select answer, resource, role, o ->> 'type' as type, o ->> 'id' as id, o, params, fetched_at, raw_file
    from listed
    where json_type(o, '$.attributes') = 'OBJECT' and o ->> 'id' is not null
    qualify row_number() over (partition by answer, o ->> 'type', o ->> 'id' order by role) = 1
),
placed as (
    select
        answer, album_id, r ->> 'type' as type, r ->> 'id' as id,
        try_cast(json_extract_string(r, '$.meta.volumeNumber') as integer) as volume_number,
        try_cast(json_extract_string(r, '$.meta.trackNumber') as integer) as track_number
    from (
        -- An album's items as its own answer lists them.
        select answer, id as album_id, unnest(json_extract(o, '$.relationships.items.data[*]')) as r
        from objects
        where type = 'albums'
        union all
        -- A page of an album's items: the album is the request's.
        select answer, params ->> 'album_id', unnest(json_extract(body, '$.data[*]'))
        from answered
        where resource = 'album_items'
    )
    qualify row_number() over (partition by answer, type, id order by album_id) = 1
),
names as (
    select id as artist_id, arg_max(json_extract_string(o, '$.attributes.name'), fetched_at) as name
    from objects
    where type = 'artists'
    group by id
),
credits as (
    select c.answer, c.type, c.id, string_agg(n.name, ', ' order by c.pos) as artist_credit
    from (
        select answer, type, id, unnest(ids) as artist_id, unnest(range(1, len(ids) + 1)) as pos
        from (
            select answer, type, id, json_extract_string(o, '$.relationships.artists.data[*].id') as ids
            from objects
            where type <> 'artists'
        )
    ) c
    join names n using (artist_id)
    group by c.answer, c.type, c.id
),
timed as (
    select *, json_extract_string(o, '$.attributes.duration') as iso_duration
    from objects
)
select
    o.answer,
    o.resource,
    o.role,
    o.type,
    o.id,
    coalesce(
        p.album_id,
        case when o.type in ('tracks', 'videos') then json_extract_string(o.o, '$.relationships.albums.data[0].id') end
    ) as album_id,
    p.volume_number,
    p.track_number,
    json_extract_string(o.o, '$.relationships.artists.data[0].id') as artist_id,
    c.artist_credit,
    case when o.iso_duration like 'P%' then round(1000 * (
        coalesce(try_cast(regexp_extract(split_part(o.iso_duration, 'T', 1), '([0-9.]+)D', 1) as double), 0) * 86400
        + coalesce(try_cast(regexp_extract(split_part(o.iso_duration, 'T', 2), '([0-9.]+)H', 1) as double), 0) * 3600
        + coalesce(try_cast(regexp_extract(split_part(o.iso_duration, 'T', 2), '([0-9.]+)M', 1) as double), 0) * 60
        + coalesce(try_cast(regexp_extract(split_part(o.iso_duration, 'T', 2), '([0-9.]+)S', 1) as double), 0)
    ))::bigint end as duration_ms,
    coalesce(
        list_filter(
            from_json(json_extract(o.o, '$.attributes.externalLinks'), '[{"href": "VARCHAR", "meta": {"type": "VARCHAR"}}]'),
            lambda l: l.meta.type = 'TIDAL_SHARING'
        )[1].href,
        'https://tidal.com/browse/'
            || case o.type when 'albums' then 'album' when 'tracks' then 'track' when 'videos' then 'video' when 'artists' then 'artist' end
            || '/' || o.id
    ) as url,
    -- A string in older answers, `{text}` in newer ones.
    coalesce(
        json_extract_string(o.o, '$.attributes.copyright.text'),
        case when json_type(o.o, '$.attributes.copyright') = 'VARCHAR' then json_extract_string(o.o, '$.attributes.copyright') end
    ) as copyright,
    json_extract(o.o, '$.attributes') as attributes,
    o.params,
    o.fetched_at,
    o.raw_file
from timed o
left join placed p on p.answer = o.answer and p.type = o.type and p.id = o.id
left join credits c on c.answer = o.answer and c.type = o.type and c.id = o.id
