-- model: staging.youtube_videos
-- key: playlist_id, video_id
-- merge: newest row
-- assert: not_null(title)
-- One row per video of each playlist read (an artist's uploads, or any playlist), with
-- its title read as artist, song and version (`video_artist`, `video_song`,
-- `video_version`, Rust functions): "Artist - Song (Official Video)" and the usual
-- variants. Uploads that are no song (a tour announcement) have no song.
with items as (
    select unnest(json_extract(body, '$.items[*]')) as i, fetched_at
    from answers.youtube_playlist_items
),
videos as (
    select
        json_extract_string(i, '$.snippet.playlistId') as playlist_id,
        coalesce(json_extract_string(i, '$.contentDetails.videoId'), json_extract_string(i, '$.snippet.resourceId.videoId')) as video_id,
        json_extract_string(i, '$.snippet.title') as title,
        coalesce(json_extract_string(i, '$.snippet.videoOwnerChannelId'), json_extract_string(i, '$.snippet.channelId')) as channel_id,
        coalesce(json_extract_string(i, '$.snippet.videoOwnerChannelTitle'), json_extract_string(i, '$.snippet.channelTitle')) as channel_title,
        try_cast(json_extract_string(i, '$.snippet.position') as integer) as position,
        try_cast(json_extract_string(i, '$.contentDetails.videoPublishedAt') as timestamp) as published_at,
        fetched_at
    from items
)
select
    playlist_id,
    video_id,
    title,
    channel_id,
    channel_title,
    position,
    published_at,
    video_artist(title, coalesce(channel_title, '')) as candidate_artist,
    video_song(title, coalesce(channel_title, '')) as candidate_title,
    video_version(title, coalesce(channel_title, '')) as candidate_version,
    fetched_at
from videos
where video_id is not null
